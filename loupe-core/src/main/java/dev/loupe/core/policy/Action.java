package dev.loupe.core.policy;

import dev.loupe.core.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the gateway does with a connection. */
public enum Action {
    /** Terminate TLS with a forged certificate and inspect the plaintext. */
    DECRYPT,
    /** Relay the bytes untouched (banking, health, pinned apps, mTLS). */
    BYPASS,
    /** Close the connection without relaying anything. */
    BLOCK;

    /** The spelling used in configuration files. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action spelled {@code value}; anything else is refused with the accepted spellings. */
    public static Action fromConfigName(String field, String value) {
        for (Action a : values()) {
            if (a.configName().equals(value)) {
                return a;
            }
        }
        throw new ConfigException(field, value, "must be one of " + Arrays.stream(values())
                .map(Action::configName).collect(Collectors.joining(", ")));
    }
}
