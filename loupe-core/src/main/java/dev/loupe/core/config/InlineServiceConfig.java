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
 */
public record InlineServiceConfig(String name, String type, List<String> devices, String failureMode,
                                  Duration healthInterval, Duration connectTimeout) {

    public InlineServiceConfig {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException("name", String.valueOf(name), "a service needs a name of letters, digits, '.', '_' or '-'");
        }
        type = Check.orDefault(type, "http").toLowerCase(Locale.ROOT);
        if (!type.equals("http")) {
            throw new ConfigException("type", type, "must be http (inline L3 services are not supported yet)");
        }
        devices = List.copyOf(Check.orDefault(devices, List.of()));
        if (devices.isEmpty()) {
            throw new ConfigException("devices", "[]", "a service needs at least one host:port");
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
        if (!failureMode.equals(IcapServiceConfig.FAIL_OPEN) && !failureMode.equals(IcapServiceConfig.FAIL_CLOSED)) {
            throw new ConfigException("failure-mode", failureMode, "must be fail-open or fail-closed");
        }
        healthInterval = Check.positive("health-interval", Check.orDefault(healthInterval, Duration.ofSeconds(5)));
        connectTimeout = Check.positive("connect-timeout", Check.orDefault(connectTimeout, Duration.ofSeconds(2)));
    }

    public boolean failOpen() {
        return failureMode.equals(IcapServiceConfig.FAIL_OPEN);
    }
}
