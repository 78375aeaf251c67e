package dev.loupe.core.icap;

import dev.loupe.core.config.IcapServiceConfig;
import java.util.List;
import java.util.Locale;

/**
 * Which messages an ICAP service sees (its {@code hosts}, {@code methods}, {@code content-types} and
 * {@code max-body-bytes}). Pure: the relay asks with what it knows of the message and logs the reason
 * when the answer is no.
 */
public final class ServiceScope {
    private final List<String> hosts;
    private final List<String> methods;
    private final List<String> contentTypes;
    private final long maxBodyBytes;

    public ServiceScope(IcapServiceConfig config) {
        this.hosts = config.hosts();
        this.methods = config.methods();
        this.contentTypes = config.contentTypes();
        this.maxBodyBytes = config.maxBodyBytes();
    }

    /**
     * Why the service does not see this message, or null when it does.
     *
     * @param host        origin host name or address
     * @param method      request method
     * @param contentType the Content-Type of the message whose body is scanned; null when absent
     */
    public String excludes(String host, String method, String contentType) {
        if (!hosts.isEmpty() && !hostMatches(host.toLowerCase(Locale.ROOT))) {
            return "host not in scope";
        }
        if (!methods.isEmpty() && !methods.contains(method.toUpperCase(Locale.ROOT))) {
            return "method not in scope";
        }
        if (!contentTypes.isEmpty() && !typeMatches(contentType)) {
            return "content type not in scope";
        }
        return null;
    }

    /** Whether the service's host scope covers {@code host} (a stream with no method or content type). */
    public boolean coversHost(String host) {
        return hosts.isEmpty() || host != null && hostMatches(host.toLowerCase(Locale.ROOT));
    }

    /** Whether a body of this many bytes is over the service's limit. */
    public boolean overLimit(long bodyBytes) {
        return bodyBytes > maxBodyBytes;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    private boolean hostMatches(String host) {
        for (String pattern : hosts) {
            if (pattern.startsWith(".") ? host.endsWith(pattern) || host.equals(pattern.substring(1))
                    : host.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** A message without a Content-Type only matches a service that lists {@code *}{@code /*}. */
    private boolean typeMatches(String contentType) {
        String type = mediaType(contentType);
        for (String pattern : contentTypes) {
            if (pattern.equals("*/*") || pattern.equals(type)
                    || (pattern.endsWith("/*") && type.startsWith(pattern.substring(0, pattern.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /** {@code Text/HTML; charset=utf-8} gives {@code text/html}. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
