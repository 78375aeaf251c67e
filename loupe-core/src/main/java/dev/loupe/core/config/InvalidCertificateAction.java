package dev.loupe.core.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the client experiences when the upstream certificate fails validation. Never "accept". */
public enum InvalidCertificateAction {
    /** Finish the client handshake with a short-lived forged certificate and answer 502 with a page naming the problem. */
    ERROR_PAGE,
    /** Close the client connection without an answer. */
    REJECT;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static InvalidCertificateAction fromConfigName(String field, String value) {
        for (InvalidCertificateAction a : values()) {
            if (a.configName().equals(value)) {
                return a;
            }
        }
        throw new ConfigException(field, value, "must be one of " + Arrays.stream(values())
                .map(InvalidCertificateAction::configName).collect(Collectors.joining(", ")));
    }
}
