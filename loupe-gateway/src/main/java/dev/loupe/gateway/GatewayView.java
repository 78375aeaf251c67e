package dev.loupe.gateway;

import dev.loupe.core.policy.PolicyRule;
import dev.loupe.gateway.admin.OperatorView;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The dashboard's view of the snapshot new connections start on (after a reload, the new one). */
final class GatewayView implements OperatorView {
    private final Supplier<GatewayServices> current;
    private final ConfigReloader reloader;
    private final Supplier<java.net.InetSocketAddress> proxy;

    GatewayView(Supplier<GatewayServices> current, ConfigReloader reloader,
                Supplier<java.net.InetSocketAddress> proxy) {
        this.current = current;
        this.reloader = reloader;
        this.proxy = proxy;
    }

    @Override
    public List<Map<String, Object>> tools() {
        GatewayServices s = current.get();
        List<Map<String, Object>> tools = new ArrayList<>();
        if (s.icap() != null) {
            tools.addAll(s.icap().status());
        }
        if (s.inline() != null) {
            tools.add(s.inline().service().status());
        }
        if (s.mirror() != null) {
            var stats = s.mirror().stats();
            for (int i = 0; i < stats.size(); i++) {
                var sink = stats.get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", sink.sink());
                m.put("kind", "mirror");
                // a mirror never holds traffic back: when a sink or the hand-off is behind, frames are dropped
                m.put("failure_mode", "drop and count");
                Map<String, Object> server = new LinkedHashMap<>();
                server.put("server", sink.sink());
                server.put("up", true);
                server.put("requests", sink.framesWritten());
                server.put("errors", sink.framesDropped() + (i == 0 ? s.mirror().droppedEvents() : 0));
                server.put("mean_ms", null);
                server.put("last_failure", null);
                m.put("servers", List.of(server));
                tools.add(m);
            }
        }
        return tools;
    }

    @Override
    public Map<String, Object> policy() {
        var policy = current.get().config().policy();
        List<Map<String, Object>> rules = new ArrayList<>();
        for (PolicyRule rule : policy.rules()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", rule.name());
            m.put("action", rule.action());
            m.put("when", conditions(rule));
            rules.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rules", rules);
        out.put("default", policy.defaultAction());
        return out;
    }

    /** The conditions a rule sets, as the configuration spells them. */
    private static Map<String, Object> conditions(PolicyRule r) {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "hosts", r.hosts());
        put(m, "clients", r.clients());
        put(m, "destinations", r.destinations());
        put(m, "ports", r.ports());
        put(m, "alpn", r.alpn());
        put(m, "listeners", r.listeners());
        put(m, "categories", r.categories());
        put(m, "cert-subjects", r.certSubjects());
        put(m, "cert-issuers", r.certIssuers());
        put(m, "cert-sans", r.certSans());
        put(m, "ja3", r.ja3());
        put(m, "ja4", r.ja4());
        put(m, "services", r.services());
        return m;
    }

    private static void put(Map<String, Object> m, String name, List<?> values) {
        if (values != null && !values.isEmpty()) {
            m.put(name, values);
        }
    }

    @Override
    public Map<String, Object> ca() {
        var ca = current.get().ca();
        X509Certificate cert = ca.certificate();
        var at = proxy.get();
        String base = "http://" + at.getHostString() + ":" + at.getPort();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("subject", cert.getSubjectX500Principal().getName());
        m.put("sha256", ca.sha256Fingerprint());
        m.put("signature", ca.signatureAlgorithm());
        m.put("not_before", cert.getNotBefore().toInstant().toString());
        m.put("not_after", cert.getNotAfter().toInstant().toString());
        m.put("page", base + "/");
        m.put("pem", base + "/loupe-ca.pem");
        m.put("der", base + "/loupe-ca.crt");
        return m;
    }

    @Override
    public Object lastReload() {
        return reloader.lastDescribed();
    }
}
