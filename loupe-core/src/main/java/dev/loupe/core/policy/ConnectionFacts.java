package dev.loupe.core.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What is known about a connection when the policy is asked.
 *
 * <p>Host names are normalised here, once, so that every rule compares the same text: lower case,
 * one trailing dot removed ({@code bank.example.} is the same DNS name as {@code bank.example}, and a
 * client must not dodge a rule by adding it), brackets around an IPv6 CONNECT host removed, and blank
 * text treated as absent.
 *
 * @param destination null while the destination address is not resolved yet
 * @param sni the TLS server name, null when the client sent none
 * @param connectHost the host of the HTTP CONNECT request, null in transparent mode
 * @param listener the name of the listener that accepted the connection, may be null
 * @param certificate the upstream leaf, null until the upstream handshake happened
 * @param ja3 the JA3 of the client's ClientHello, null when there was none (plain HTTP, before the hello)
 * @param ja4 the JA4 of the client's ClientHello, null likewise
 */
public record ConnectionFacts(
        InetAddress client,
        InetAddress destination,
        int destinationPort,
        String sni,
        String connectHost,
        List<String> alpnOffered,
        String listener,
        CertificateFacts certificate,
        String ja3,
        String ja4) {

    public ConnectionFacts {
        Objects.requireNonNull(client, "client");
        if (destinationPort < 0 || destinationPort > 65_535) {
            throw new IllegalArgumentException("destination port " + destinationPort + " outside 0..65535");
        }
        sni = normaliseHost(sni);
        connectHost = normaliseHost(connectHost);
        alpnOffered = alpnOffered == null ? List.of() : List.copyOf(alpnOffered);
    }

    /** The host the client asked for: the SNI if present, else the CONNECT host; null when neither. */
    public String host() {
        return sni != null ? sni : connectHost;
    }

    public ConnectionFacts withCertificate(CertificateFacts cert) {
        return new ConnectionFacts(client, destination, destinationPort, sni, connectHost, alpnOffered, listener,
                cert, ja3, ja4);
    }

    /** Lower case, no brackets or trailing dot, blank as null; shared with {@link AutoBypass}. */
    static String normaliseHost(String host) {
        if (host == null) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.length() > 1 && h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.isEmpty() ? null : h;
    }
}
