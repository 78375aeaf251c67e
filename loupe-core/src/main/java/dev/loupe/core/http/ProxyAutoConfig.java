package dev.loupe.core.http;

import dev.loupe.core.config.PacConfig;
import java.util.List;

/** Writes the proxy auto-config (PAC) script: a JavaScript {@code FindProxyForURL} that browsers evaluate. */
public final class ProxyAutoConfig {
    public static final String CONTENT_TYPE = "application/x-ns-proxy-autoconfig";

    private ProxyAutoConfig() {
    }

    /**
     * @param fetchedFrom the {@code host:port} the client fetched the file from, used when no proxies are
     *                    configured; must already be validated (it comes from a Host header)
     */
    public static String script(PacConfig config, String fetchedFrom) {
        List<String> proxies = config.proxies().isEmpty() ? List.of(fetchedFrom) : config.proxies();
        StringBuilder js = new StringBuilder();
        js.append("// Loupe inspection gateway: generated; nodes in order of preference, no DIRECT fallback\n");
        js.append("function FindProxyForURL(url, host) {\n");
        js.append("  if (isPlainHostName(host) || host === \"localhost\" || shExpMatch(host, \"127.*\")");
        js.append(" || host === \"[::1]\" || host === \"::1\") {\n    return \"DIRECT\";\n  }\n");
        for (String d : config.direct()) {
            js.append("  if (shExpMatch(host, \"").append(d).append("\")) {\n    return \"DIRECT\";\n  }\n");
        }
        js.append("  return \"");
        for (int i = 0; i < proxies.size(); i++) {
            js.append(i == 0 ? "" : "; ").append("PROXY ").append(proxies.get(i));
        }
        js.append("\";\n}\n");
        return js.toString();
    }

    /** True for a Host header value that may be written into the script as a proxy address. */
    public static boolean safeHostPort(String hostPort) {
        return hostPort != null && hostPort.length() <= 255 && hostPort.matches("[A-Za-z0-9.\\-\\[\\]:]+");
    }
}
