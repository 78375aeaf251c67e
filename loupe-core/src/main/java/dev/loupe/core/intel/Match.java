package dev.loupe.core.intel;

/**
 * An indicator that matched a connection or request.
 *
 * @param matchedOn what matched: {@code "host"} (SNI / CONNECT / URL host), {@code "url"} (the full request
 *                  URL) or {@code "address"} (the destination address)
 */
public record Match(Indicator indicator, String matchedOn) {
    public static final String HOST = "host";
    public static final String URL = "url";
    public static final String ADDRESS = "address";
}
