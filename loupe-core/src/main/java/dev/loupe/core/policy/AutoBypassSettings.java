package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import dev.loupe.core.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of {@link AutoBypass} (YAML keys {@code enabled}, {@code failures}, {@code window},
 * {@code duration}, {@code scope}, {@code global-min-clients}, {@code max-grants-per-minute},
 * {@code never-bypass}); every field is optional.
 *
 * <p>An automatic bypass switches inspection off, so every default here leans towards making that hard to
 * trigger on purpose: a single client can only ever bypass a host for itself.
 *
 * @param failures certificate rejections within {@code window} that make a host bypassed (default 3)
 * @param window how long a rejection is remembered (default 5m)
 * @param duration how long a bypass lasts before the host is decrypted again (default 1h)
 * @param scope {@code per-client} (default): only the rejecting client is bypassed; {@code global}: the host
 *     is bypassed for every client, but only once {@code globalMinClients} distinct clients rejected it
 * @param globalMinClients distinct clients whose rejections a global bypass needs (default 5)
 * @param maxGrantsPerMinute bypasses granted per minute at most, over all hosts; beyond it the grant is
 *     refused and counted (default 10)
 * @param neverBypass hosts ({@code name}, {@code *.suffix}, {@code ~regex}) and URL categories that are
 *     never bypassed automatically, whatever their clients do
 */
public record AutoBypassSettings(Boolean enabled, Integer failures, Duration window, Duration duration, String scope,
                                 Integer globalMinClients, Integer maxGrantsPerMinute, NeverBypass neverBypass) {
    public static final String GLOBAL = "global";
    public static final String PER_CLIENT = "per-client";
    private static final int MAX_FAILURES = 100;
    private static final Duration MAX_WINDOW = Duration.ofDays(1);
    private static final Duration MAX_DURATION = Duration.ofDays(30);

    /** What is never bypassed automatically (YAML {@code never-bypass: {hosts: [...], categories: [...]}}). */
    public record NeverBypass(List<String> hosts, List<String> categories) {
        public NeverBypass {
            hosts = List.copyOf(Objects.requireNonNullElse(hosts, List.of()));
            categories = Objects.requireNonNullElse(categories, List.<String>of()).stream()
                    .map(c -> c.strip().toLowerCase(java.util.Locale.ROOT)).toList();
            for (int i = 0; i < hosts.size(); i++) {
                NamePattern.parse("never-bypass.hosts[" + i + "]", hosts.get(i), "never-bypass",
                        NamePattern.Syntax.HOST);
            }
        }

        static NeverBypass none() {
            return new NeverBypass(null, null);
        }
    }

    public AutoBypassSettings {
        enabled = Objects.requireNonNullElse(enabled, true);
        failures = Objects.requireNonNullElse(failures, 3);
        if (failures < 1 || failures > MAX_FAILURES) {
            throw new ConfigException("failures", failures, "must be between 1 and " + MAX_FAILURES);
        }
        window = checkDuration("window", Objects.requireNonNullElse(window, Duration.ofMinutes(5)), MAX_WINDOW);
        duration = checkDuration("duration", Objects.requireNonNullElse(duration, Duration.ofHours(1)), MAX_DURATION);
        scope = Objects.requireNonNullElse(scope, PER_CLIENT);
        if (!scope.equals(GLOBAL) && !scope.equals(PER_CLIENT)) {
            throw new ConfigException("scope", scope, "must be one of " + GLOBAL + ", " + PER_CLIENT);
        }
        globalMinClients = Objects.requireNonNullElse(globalMinClients, 5);
        if (globalMinClients < 1 || globalMinClients > 10_000) {
            throw new ConfigException("global-min-clients", globalMinClients, "must be between 1 and 10000");
        }
        maxGrantsPerMinute = Objects.requireNonNullElse(maxGrantsPerMinute, 10);
        if (maxGrantsPerMinute < 1 || maxGrantsPerMinute > 100_000) {
            throw new ConfigException("max-grants-per-minute", maxGrantsPerMinute, "must be between 1 and 100000");
        }
        neverBypass = Objects.requireNonNullElse(neverBypass, NeverBypass.none());
    }

    public static AutoBypassSettings defaults() {
        return new AutoBypassSettings(null, null, null, null, null, null, null, null);
    }

    public boolean perClient() {
        return scope.equals(PER_CLIENT);
    }

    private static Duration checkDuration(String field, Duration value, Duration max) {
        if (value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
            throw new ConfigException(field, Durations.format(value),
                    "must be a positive duration of at most " + max.toDays() + "d");
        }
        return value;
    }
}
