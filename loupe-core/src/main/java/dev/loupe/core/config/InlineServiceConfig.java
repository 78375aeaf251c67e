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
                                  String probeDestination, Duration responseTimeout, String nonHttp) {
    public static final String HTTP = "http";
    public static final String L3 = "l3";


    public InlineServiceConfig {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException("name", String.valueOf(name), "a service needs a name of letters, digits, '.', '_' or '-'");
        }
        type = Check.orDefault(type, HTTP).toLowerCase(Locale.ROOT);
        if (!type.equals(HTTP) && !type.equals(L3)) {
            throw new ConfigException("type", type, "must be http or l3");
        }
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

    /** Whether decrypted streams that are not HTTP are refused rather than relayed around the device. */
    public boolean blocksNonHttp() {
        return nonHttp.equals("block");
    }

    public boolean failOpen() {
        return failureMode.equals(IcapServiceConfig.FAIL_OPEN);
    }
}
