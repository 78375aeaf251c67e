package dev.loupe.core.intel;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The questions the decision points ask of threat intelligence, answered at the current time: whether a host,
 * an address or a URL is listed. Implemented by the gateway's indicator stores; a map in tests.
 */
public interface IndicatorLookup {
    Optional<Match> matchHost(String host);

    Optional<Match> matchAddress(InetAddress address);

    Optional<Match> matchUrl(String scheme, String host, int port, String pathAndQuery);
}
