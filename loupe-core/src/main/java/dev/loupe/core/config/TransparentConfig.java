package dev.loupe.core.config;

import dev.loupe.core.net.Cidr;
import java.util.List;

/**
 * The transparent (TPROXY) listener: traffic the firewall diverts to Loupe, on any port, with no
 * proxy settings on clients. Off by default; {@code loupe transparent rules} prints the nftables and
 * routing commands for these settings.
 *
 * @param ports      destination ports to divert (for the printed rules); TLS is detected on any of them
 * @param interfaces interfaces the clients' traffic arrives on (for the printed rules)
 */
public record TransparentConfig(Boolean enabled, String address, Integer port, List<String> allowedClients,
                                List<Integer> ports, List<String> interfaces, Integer mark, Integer table) {
    /** Private, loopback and unique-local networks: where clients of an inline gateway live. */
    public static final List<String> PRIVATE_NETWORKS = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "127.0.0.0/8", "fc00::/7", "::1/128");

    public TransparentConfig {
        enabled = Check.orDefault(enabled, false);
        address = Check.orDefault(address, "::");
        port = Check.range("port", Check.orDefault(port, 15001), 1, 65535);
        allowedClients = List.copyOf(Check.orDefault(allowedClients, PRIVATE_NETWORKS));
        ports = List.copyOf(Check.orDefault(ports, List.of(80, 443)));
        interfaces = List.copyOf(Check.orDefault(interfaces, List.of()));
        mark = Check.range("mark", Check.orDefault(mark, 1), 1, Integer.MAX_VALUE);
        table = Check.range("table", Check.orDefault(table, 100), 1, 252);
        for (int i = 0; i < allowedClients.size(); i++) {
            try {
                Cidr.parse(allowedClients.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("allowed-clients[" + i + "]", allowedClients.get(i), e.getMessage());
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            Check.range("ports[" + i + "]", ports.get(i), 1, 65535);
        }
    }

    public static TransparentConfig defaults() {
        return new TransparentConfig(null, null, null, null, null, null, null, null);
    }

    public List<Cidr> allowedClientNetworks() {
        return allowedClients.stream().map(Cidr::parse).toList();
    }
}
