package dev.loupe.core.config;

import java.util.List;

/**
 * The proxy auto-config file served at {@code http://<proxy>/proxy.pac}: browsers given its URL try the nodes in
 * order and move to the next when one does not answer, so explicit-proxy clients fail over without VRRP.
 *
 * @param proxies the nodes' proxy addresses ({@code host:port}), in order of preference; empty: the address the
 *                client fetched the file from
 * @param direct  host patterns ({@code shExpMatch} syntax, e.g. {@code *.intranet.example}) sent DIRECT; plain
 *                host names and loopback always are. There is no DIRECT fallback when every node is down: a
 *                client must not leave inspection because the gateway is unreachable.
 */
public record PacConfig(List<String> proxies, List<String> direct) {
    public PacConfig {
        proxies = proxies == null ? List.of() : List.copyOf(proxies);
        direct = direct == null ? List.of() : List.copyOf(direct);
        for (int i = 0; i < proxies.size(); i++) {
            String p = proxies.get(i);
            int colon = p == null ? -1 : p.lastIndexOf(':');
            boolean ok = colon > 0 && p.substring(colon + 1).matches("[0-9]{1,5}")
                    && Integer.parseInt(p.substring(colon + 1)) <= 65535
                    && p.substring(0, colon).matches("[A-Za-z0-9.\\-\\[\\]:]+");
            if (!ok) {
                throw new ConfigException("proxies[" + i + "]", p, "expected host:port");
            }
        }
        for (int i = 0; i < direct.size(); i++) {
            String d = direct.get(i);
            if (d == null || !d.matches("[A-Za-z0-9.*?\\-]+")) {
                throw new ConfigException("direct[" + i + "]", d, "expected a host pattern such as *.intranet.example");
            }
        }
    }

    public static PacConfig defaults() {
        return new PacConfig(null, null);
    }
}
