package dev.loupe.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * One inline HTTP service: interchangeable devices that work as HTTP proxies, each configured with Loupe's
 * return listener as its parent proxy. Flows are spread over the devices in rotation by a hash of the flow.
 *
 * @param devices        {@code host:port} of each device's proxy port
 * @param failureMode    {@code fail-open} (no device up: go straight to the origin, logged) or
 *                       {@code fail-closed} (the client gets a 503 naming the service)
 * @param healthInterval how often each device is probed with a request that must come back through the loop
 * @param connectTimeout to reach a device
 * @param marks          l3: one routing mark per device; the operator routes packets with that mark through it
 * @param serverPort     l3: the plaintext goes to the origin's address on this port (e.g. 443 becomes 80)
 * @param returnPort     l3: the TPROXY listener where the plaintext comes back after the device
 * @param pairs          l2: one {egress, ingress} interface pair per device, in the order of {@code marks}
 * @param returnMark     l3: mark on that listener's packets, which the operator routes back through the device
 * @param probeSource    l3: source address of loop probes (one whose replies route back through the device);
 *                       without it, a device taken out after a failure is simply tried again after
 *                       {@code health-interval}
 * @param probeDestination l3: destination address of loop probes (routed through the device by its mark)
 * @param responseTimeout  how long a request sent through a device may wait for its response head; a device
 *                         that silently drops a flow (an IPS {@code drop} rule) then ends it with a 502 naming it
 * @param nonHttp        a decrypted stream that is not HTTP cannot go through the device: {@code block} (refused,
 *                       logged; default for fail-closed) or {@code relay} (straight to the origin; default for
 *                       fail-open)
 */
public record InlineServiceConfig(String name, String type, List<String> devices, String failureMode,
                                  Duration healthInterval, Duration connectTimeout, List<Integer> marks,
                                  Integer serverPort, Integer returnPort, Integer returnMark, String probeSource,
                                  String probeDestination, Duration responseTimeout, String nonHttp,
                                  List<InlinePair> pairs) {
    public static final String HTTP = "http";
    public static final String L3 = "l3";
    public static final String L2 = "l2";

    /**
     * An L2 device's two Loupe interfaces: flows leave through {@code egress} toward the device, which bridges
     * them to {@code ingress}, where Loupe takes them back (and the replies cross the other way).
     */
    public record InlinePair(String egress, String ingress) {
        public InlinePair {
            for (String[] f : new String[][] {{"egress", egress}, {"ingress", ingress}}) {
                if (f[1] == null || !f[1].matches("[A-Za-z0-9_.@-]{1,15}")) {
                    throw new ConfigException(f[0], String.valueOf(f[1]), "must be an interface name (up to 15 "
                            + "letters, digits, '.', '_', '-', '@')");
                }
            }
            if (egress.equals(ingress)) {
                throw new ConfigException("ingress", ingress, "must differ from egress: the device sits between them");
            }
        }

        /** How logs and metrics name the device: the pair it sits between. */
        public String label() {
            return egress + ">" + ingress;
        }
    }


    public InlineServiceConfig {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException("name", String.valueOf(name), "a service needs a name of letters, digits, '.', '_' or '-'");
        }
        type = Check.orDefault(type, HTTP).toLowerCase(Locale.ROOT);
        if (!type.equals(HTTP) && !type.equals(L3) && !type.equals(L2)) {
            throw new ConfigException("type", type, "must be http, l3 or l2");
        }
        pairs = List.copyOf(Check.orDefault(pairs, List.of()));
        devices = List.copyOf(Check.orDefault(devices, List.of()));
        marks = List.copyOf(Check.orDefault(marks, List.of()));
        serverPort = Check.range("server-port", Check.orDefault(serverPort, 80), 1, 65535);
        returnPort = Check.range("return-port", Check.orDefault(returnPort, 15002), 1, 65535);
        returnMark = Check.range("return-mark", Check.orDefault(returnMark, 3), 1, Integer.MAX_VALUE);
        if (type.equals(HTTP) && devices.isEmpty()) {
            throw new ConfigException("devices", "[]", "an http service needs at least one host:port");
        }
        if (type.equals(L3) && marks.isEmpty()) {
            throw new ConfigException("marks", "[]", "an l3 service needs one routing mark per device");
        }
        if (type.equals(L2)) {
            if (pairs.isEmpty()) {
                throw new ConfigException("pairs", "[]", "an l2 service needs one {egress, ingress} interface pair "
                        + "per device");
            }
            if (marks.size() != pairs.size()) {
                throw new ConfigException("marks", marks.toString(), "an l2 service needs one routing mark per pair ("
                        + pairs.size() + " pairs); each pair also uses its mark + 1 for the way back");
            }
            java.util.Set<Integer> used = new java.util.HashSet<>();
            for (int m : marks) {
                if (!used.add(m) || !used.add(m + 1)) {
                    throw new ConfigException("marks", marks.toString(), "marks and mark + 1 of each pair must all "
                            + "differ (mark " + m + ")");
                }
            }
            if (used.contains(returnMark)) {
                throw new ConfigException("return-mark", returnMark, "must differ from the pairs' marks and mark + 1");
            }
        } else if (!pairs.isEmpty()) {
            throw new ConfigException("pairs", pairs.toString(), "only an l2 service has interface pairs");
        }
        if ((probeSource == null) != (probeDestination == null)) {
            throw new ConfigException(probeSource == null ? "probe-source" : "probe-destination", "",
                    "an l3 loop probe needs both probe-source and probe-destination");
        }
        for (String[] field : new String[][] {{"probe-source", probeSource}, {"probe-destination", probeDestination}}) {
            if (field[1] != null && !dev.loupe.core.net.IpLiterals.isLiteral(field[1])) {
                throw new ConfigException(field[0], field[1], "must be an IP address");
            }
        }
        for (int i = 0; i < marks.size(); i++) {
            Check.range("marks[" + i + "]", marks.get(i), 1, Integer.MAX_VALUE);
        }
        for (int i = 0; i < devices.size(); i++) {
            String d = devices.get(i);
            int colon = d.lastIndexOf(':');
            boolean valid = colon > 0 && d.substring(colon + 1).matches("[0-9]{1,5}")
                    && Integer.parseInt(d.substring(colon + 1)) <= 65535 && Integer.parseInt(d.substring(colon + 1)) > 0;
            if (!valid) {
                throw new ConfigException("devices[" + i + "]", d, "must be host:port");
            }
        }
        failureMode = Check.orDefault(failureMode, IcapServiceConfig.FAIL_CLOSED).toLowerCase(Locale.ROOT);
        // a device sees only HTTP; with fail-closed, nothing may go around it unless the operator says so
        nonHttp = Check.orDefault(nonHttp, failureMode.equals(IcapServiceConfig.FAIL_CLOSED) ? "block" : "relay")
                .toLowerCase(Locale.ROOT);
        if (!nonHttp.equals("block") && !nonHttp.equals("relay")) {
            throw new ConfigException("non-http", nonHttp, "must be one of block, relay");
        }
        if (!failureMode.equals(IcapServiceConfig.FAIL_OPEN) && !failureMode.equals(IcapServiceConfig.FAIL_CLOSED)) {
            throw new ConfigException("failure-mode", failureMode, "must be fail-open or fail-closed");
        }
        healthInterval = Check.positive("health-interval", Check.orDefault(healthInterval, Duration.ofSeconds(5)));
        connectTimeout = Check.positive("connect-timeout", Check.orDefault(connectTimeout, Duration.ofSeconds(2)));
        responseTimeout = Check.positive("response-timeout", Check.orDefault(responseTimeout, Duration.ofSeconds(60)));
    }

    public boolean l3() {
        return type.equals(L3);
    }

    public boolean l2() {
        return type.equals(L2);
    }

    /**
     * Whether flows cross the device as kernel TCP connections from the client's to the server's address, with a
     * routing mark per device, coming back to the TPROXY return listener: L3 (a routed device) and L2 (a bridge
     * between two of Loupe's interfaces) work the same inside Loupe; only the host's routing differs.
     */
    public boolean routed() {
        return type.equals(L3) || type.equals(L2);
    }

    /** Whether decrypted streams that are not HTTP are refused rather than relayed around the device. */
    public boolean blocksNonHttp() {
        return nonHttp.equals("block");
    }

    public boolean failOpen() {
        return failureMode.equals(IcapServiceConfig.FAIL_OPEN);
    }
}
