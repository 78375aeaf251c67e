package dev.loupe.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a new configuration changes against the running one, section by section, and whether a reload can apply
 * it. Reloadable: {@code policy}, {@code intel}, {@code limits}, {@code http2}, {@code shutdown}, {@code pac},
 * {@code icap}, {@code mirror}, {@code access-log}, {@code listener}, {@code transparent}, {@code pipeline},
 * {@code inline}, {@code admin} (its address): new
 * connections get the new values while open ones finish on theirs. The others need a restart: the CA and data
 * directory (keys), upstream trust and resolver (shared by every connection's validation cache), the cluster
 * link and {@code runtime} (the event loops); the admin token file; within {@code inline}, what its return
 * listener is bound with (see {@link #inlineNeedsRestart}). A reload that changes one is refused as a whole, so a node never runs half of a file.
 */
public record ConfigChanges(List<String> changed, List<String> needRestart) {
    private static final Map<String, Function<LoupeConfig, Object>> SECTIONS = new LinkedHashMap<>();
    private static final List<String> RELOADABLE = List.of("policy", "intel", "limits", "http2", "shutdown", "pac",
            "icap", "mirror", "access-log", "listener", "transparent", "pipeline", "inline", "admin");

    static {
        SECTIONS.put("data-dir", LoupeConfig::dataDir);
        SECTIONS.put("ca", LoupeConfig::ca);
        SECTIONS.put("listener", LoupeConfig::listener);
        SECTIONS.put("upstream", LoupeConfig::upstream);
        SECTIONS.put("resolver", LoupeConfig::resolver);
        SECTIONS.put("limits", LoupeConfig::limits);
        SECTIONS.put("access-log", LoupeConfig::accessLog);
        SECTIONS.put("mirror", LoupeConfig::mirror);
        SECTIONS.put("admin", LoupeConfig::admin);
        SECTIONS.put("intel", LoupeConfig::intel);
        SECTIONS.put("policy", LoupeConfig::policy);
        SECTIONS.put("transparent", LoupeConfig::transparent);
        SECTIONS.put("icap", LoupeConfig::icap);
        SECTIONS.put("inline", LoupeConfig::inline);
        SECTIONS.put("http2", LoupeConfig::http2);
        SECTIONS.put("pipeline", LoupeConfig::pipeline);
        SECTIONS.put("cluster", LoupeConfig::cluster);
        SECTIONS.put("shutdown", LoupeConfig::shutdown);
        SECTIONS.put("pac", LoupeConfig::pac);
        SECTIONS.put("runtime", LoupeConfig::runtime);
    }

    public static ConfigChanges between(LoupeConfig running, LoupeConfig next) {
        List<String> changed = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        SECTIONS.forEach((name, section) -> {
            if (!Objects.equals(section.apply(running), section.apply(next))) {
                changed.add(name);
                if (!RELOADABLE.contains(name)) {
                    restart.add(name);
                }
            }
        });
        return new ConfigChanges(List.copyOf(changed), List.copyOf(restart));
    }

    /**
     * The inline field whose change needs a restart, null when a reload can apply the change: devices, marks,
     * failure mode, health and timeouts, probes, ports mapped and the pipeline position are reloadable; turning
     * inline on or off, the return listener (address, port, allowed devices; for L3 its port and mark) and the
     * service type are bound to sockets made at start.
     */
    public static String inlineNeedsRestart(InlineConfig was, InlineConfig next) {
        if (was.enabled() != next.enabled()) {
            return "inline.services (turning inline on or off)";
        }
        if (!was.enabled()) {
            return null;
        }
        if (!was.returnAddress().equals(next.returnAddress()) || !was.returnPort().equals(next.returnPort())
                || !was.returnAllowed().equals(next.returnAllowed())) {
            return "inline return listener (return-address, return-port, return-allowed)";
        }
        InlineServiceConfig a = was.services().get(0);
        InlineServiceConfig b = next.services().get(0);
        if (!a.type().equals(b.type())) {
            return "inline.services[0].type";
        }
        if (a.routed() && (!a.returnPort().equals(b.returnPort()) || !a.returnMark().equals(b.returnMark()))) {
            return "inline.services[0] return-port/return-mark (the L3 return listener)";
        }
        return null;
    }

    public boolean none() {
        return changed.isEmpty();
    }

    public boolean applicable() {
        return needRestart.isEmpty();
    }
}
