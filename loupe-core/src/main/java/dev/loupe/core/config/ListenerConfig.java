package dev.loupe.core.config;

import dev.loupe.core.net.Cidr;
import java.util.List;

/**
 * The explicit proxy listener. It binds to loopback and serves only loopback clients unless told
 * otherwise, so a default install is never an open proxy.
 */
public record ListenerConfig(String address, Integer port, List<String> allowedClients) {
    public static final List<String> LOOPBACK_ONLY = List.of("127.0.0.0/8", "::1/128");

    public ListenerConfig {
        address = Check.orDefault(address, "127.0.0.1");
        port = Check.range("port", Check.orDefault(port, 8080), 0, 65535);
        allowedClients = List.copyOf(Check.orDefault(allowedClients, LOOPBACK_ONLY));
        for (int i = 0; i < allowedClients.size(); i++) {
            try {
                Cidr.parse(allowedClients.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("allowed-clients[" + i + "]", allowedClients.get(i), e.getMessage());
            }
        }
        if (address.isBlank()) {
            throw new ConfigException("address", address, "must be an IP address or host name");
        }
    }

    public static ListenerConfig defaults() {
        return new ListenerConfig(null, null, null);
    }

    public List<Cidr> allowedClientNetworks() {
        return allowedClients.stream().map(Cidr::parse).toList();
    }
}
