package dev.loupe.core.config;

import dev.loupe.core.net.Cidr;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Inline services: devices in the traffic path (a filtering proxy, a WAF, a DLP box) that receive each
 * decrypted request as a proxy request and send it on to Loupe's return listener, their parent proxy.
 * Off unless services are configured.
 *
 * @param returnAddress  where the return listener binds (loopback by default)
 * @param returnPort     its port
 * @param returnAllowed  device addresses allowed to connect to it; only requests naming a live flow are forwarded
 * @param icapPosition   {@code before} (ICAP sees what the client sent and what the device let back) or
 *                       {@code after} (ICAP sees what the device let through, on the way to and from the origin)
 * @param mirrorLeg      {@code device} (the mirror records Loupe-to-device plaintext) or {@code origin}
 *                       (what Loupe sends to the origin after the device)
 */
public record InlineConfig(List<InlineServiceConfig> services, String returnAddress, Integer returnPort,
                           List<String> returnAllowed, String icapPosition, String mirrorLeg) {

    public InlineConfig {
        services = List.copyOf(Check.orDefault(services, List.of()));
        returnAddress = Check.orDefault(returnAddress, "127.0.0.1");
        returnPort = Check.range("return-port", Check.orDefault(returnPort, 8082), 0, 65535);
        returnAllowed = List.copyOf(Check.orDefault(returnAllowed, List.of("127.0.0.0/8", "::1/128")));
        // unset means the pipeline: order decides (see StageOrder); these two are its older spelling
        if (icapPosition != null && !icapPosition.equals("before") && !icapPosition.equals("after")) {
            throw new ConfigException("icap-position", icapPosition, "must be before or after (the inline device)");
        }
        if (mirrorLeg != null && !mirrorLeg.equals("device") && !mirrorLeg.equals("origin")) {
            throw new ConfigException("mirror-leg", mirrorLeg, "must be device or origin");
        }
        for (int i = 0; i < returnAllowed.size(); i++) {
            try {
                Cidr.parse(returnAllowed.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("return-allowed[" + i + "]", returnAllowed.get(i), e.getMessage());
            }
        }
        Set<String> names = new HashSet<>();
        for (InlineServiceConfig s : services) {
            if (!names.add(s.name())) {
                throw new ConfigException("services", s.name(), "service names must be unique");
            }
        }
        if (services.size() > 1) {
            throw new ConfigException("services", services.size(), "one inline HTTP service is supported for now");
        }
    }

    public static InlineConfig defaults() {
        return new InlineConfig(null, null, null, null, null, null);
    }

    public boolean enabled() {
        return !services.isEmpty();
    }

    public boolean icapAfterDevice() {
        return "after".equals(icapPosition);
    }

    public boolean mirrorOriginLeg() {
        return "origin".equals(mirrorLeg);
    }

    public List<Cidr> returnAllowedNetworks() {
        return returnAllowed.stream().map(Cidr::parse).toList();
    }
}
