package dev.loupe.core.http;

import java.net.URI;
import java.net.URISyntaxException;

/** Request-target forms (RFC 9112 §3.2): the origin form of an absolute one, as sent to an origin. */
public final class RequestTargets {
    private RequestTargets() {
    }

    /** The path and query of {@code uri}; "/" for an empty path. */
    public static String originForm(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** The origin form of an absolute URI; "/" when it cannot be parsed. */
    public static String originForm(String absolute) {
        try {
            return originForm(new URI(absolute));
        } catch (URISyntaxException e) {
            return "/";
        }
    }
}
