package dev.loupe.core.icap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A service's answer to OPTIONS (RFC 3507 section 4.10.2): what the client should send it and how. Optional
 * numeric fields that are malformed are treated as absent rather than failing the whole service, because
 * they only tune behaviour.
 *
 * @param methods          supported methods, upper case, in the server's order
 * @param isTag            service tag (with its quotes), null when missing
 * @param preview          bytes the service wants as preview, null when it wants no preview
 * @param allow204         the service can answer 204 outside previews
 * @param allow206         the service can answer 206 (partial content)
 * @param maxConnections   connection limit the client should respect, null when unlimited
 * @param optionsTtl       how long these options stay valid, null when not given
 * @param transferPreview  file extensions (lower case, no dot) to send with preview; "*" = all others
 * @param transferIgnore   extensions not to send at all
 * @param transferComplete extensions to send whole, without preview
 * @param service          human-readable service description, null when missing
 */
public record IcapOptions(Set<String> methods, String isTag, Integer preview, boolean allow204, boolean allow206,
        Integer maxConnections, Duration optionsTtl, List<String> transferPreview, List<String> transferIgnore,
        List<String> transferComplete, String service) {

    private static final String WILDCARD = "*";

    /** How a file with a given extension should be sent to the service. */
    public enum Transfer { PREVIEW, COMPLETE, IGNORE }

    public IcapOptions {
        methods = Collections.unmodifiableSet(new LinkedHashSet<>(methods));
        transferPreview = List.copyOf(transferPreview);
        transferIgnore = List.copyOf(transferIgnore);
        transferComplete = List.copyOf(transferComplete);
    }

    /** Reads the options from a 200 response to OPTIONS. */
    public static IcapOptions from(IcapResponseHead head) {
        if (head.status() != 200) {
            throw new IllegalArgumentException("OPTIONS failed with " + head.status() + " " + head.reason());
        }
        IcapHeaders headers = head.headers();
        Set<String> methods = new LinkedHashSet<>();
        headers.tokens("Methods").forEach(method -> methods.add(method.toUpperCase(Locale.ROOT)));
        List<String> allow = headers.tokens("Allow");
        Integer ttl = number(headers, "Options-TTL");
        return new IcapOptions(methods, headers.first("ISTag").orElse(null), number(headers, "Preview"),
                allow.contains("204"), allow.contains("206"), number(headers, "Max-Connections"),
                ttl == null ? null : Duration.ofSeconds(ttl), extensions(headers, "Transfer-Preview"),
                extensions(headers, "Transfer-Ignore"), extensions(headers, "Transfer-Complete"),
                headers.first("Service").orElse(null));
    }

    public boolean supports(IcapMethod method) {
        return methods.contains(method.name());
    }

    /**
     * Applies the Transfer-* lists: an extension listed explicitly wins over a {@code *} in another list;
     * an extension in no list (and no {@code *} anywhere) is previewed, as RFC 3507 leaves that the default.
     *
     * @param fileExtension e.g. {@code "exe"} or {@code ".EXE"}; null or empty when the URL has none
     */
    public Transfer transferFor(String fileExtension) {
        String extension = normalize(fileExtension);
        if (!extension.isEmpty()) {
            Transfer explicit = listing(extension);
            if (explicit != null) {
                return explicit;
            }
        }
        Transfer wildcard = listing(WILDCARD);
        return wildcard == null ? Transfer.PREVIEW : wildcard;
    }

    /** Whether to send a preview for such a file: the service wants previews and the lists allow one. */
    public boolean shouldPreview(String fileExtension) {
        return preview != null && transferFor(fileExtension) == Transfer.PREVIEW;
    }

    /** Ignore is checked first so that a server listing an extension twice errs on not sending it. */
    private Transfer listing(String extension) {
        if (transferIgnore.contains(extension)) {
            return Transfer.IGNORE;
        }
        if (transferComplete.contains(extension)) {
            return Transfer.COMPLETE;
        }
        return transferPreview.contains(extension) ? Transfer.PREVIEW : null;
    }

    private static String normalize(String extension) {
        if (extension == null) {
            return "";
        }
        String trimmed = extension.strip().toLowerCase(Locale.ROOT);
        return trimmed.startsWith(".") ? trimmed.substring(1) : trimmed;
    }

    private static List<String> extensions(IcapHeaders headers, String name) {
        List<String> extensions = new ArrayList<>();
        for (String token : headers.tokens(name)) {
            String extension = normalize(token);
            if (!extension.isEmpty()) {
                extensions.add(extension);
            }
        }
        return extensions;
    }

    private static Integer number(IcapHeaders headers, String name) {
        String value = headers.first(name).orElse("");
        boolean valid = !value.isEmpty() && value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        return valid ? Integer.valueOf(value) : null;
    }
}
