package dev.loupe.core.log;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What one ICAP service did with one HTTP message, as logged in the exchange's line.
 *
 * @param service the configured service name
 * @param mode    reqmod or respmod
 * @param result  {@code not-scanned}, {@code unmodified}, {@code replaced}, {@code blocked} or {@code error}
 * @param reason  why (for not-scanned and error), or the threat the service named; null when nothing to say
 * @param server  the server that answered, null when none was asked
 * @param ms      time spent on the service, -1 when none was asked
 * @param threat     what the server named (virus, violation), normalised from the vendors' headers; null if none
 * @param category   the category the server gave (AV type, URL category); null if none
 * @param resolution blocked, repaired, not-fixed, or the server's own word; null if none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IcapResult(String service, String mode, String result, String reason, String server, long ms,
                         String threat, String category, String resolution) {
    public static final String NOT_SCANNED = "not-scanned";
    public static final String UNMODIFIED = "unmodified";
    public static final String REPLACED = "replaced";
    public static final String BLOCKED = "blocked";
    public static final String ERROR = "error";

    public IcapResult(String service, String mode, String result, String reason, String server, long ms) {
        this(service, mode, result, reason, server, ms, null, null, null);
    }

    public static IcapResult notScanned(String service, String mode, String reason) {
        return new IcapResult(service, mode, NOT_SCANNED, reason, null, -1);
    }
}
