package dev.loupe.core.tap;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * The two ends of one mirrored TCP conversation. Both addresses must be of the same family because a
 * synthesized packet carries one IP header; a gateway bridging IPv4 clients to IPv6 servers must map
 * one side before mirroring.
 */
public record FlowEndpoints(InetAddress client, int clientPort, InetAddress server, int serverPort) {

    public FlowEndpoints {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        checkPort("clientPort", clientPort);
        checkPort("serverPort", serverPort);
        if ((client instanceof Inet6Address) != (server instanceof Inet6Address)) {
            throw new IllegalArgumentException("client " + client.getHostAddress() + " and server "
                    + server.getHostAddress() + " must both be IPv4 or both IPv6");
        }
    }

    public boolean isIpv6() {
        return client instanceof Inet6Address;
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(name + " " + port + " outside 0..65535");
        }
    }
}
