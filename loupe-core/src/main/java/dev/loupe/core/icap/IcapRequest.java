package dev.loupe.core.icap;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One ICAP request as the client means to send it; {@link IcapRequestEncoder} turns it into bytes. Invalid
 * combinations are rejected here, so a request that exists can always be encoded. The body itself is not
 * part of the request: only its preview is; the rest is streamed by the transport (see the package docs).
 *
 * @param headers            extra ICAP headers (X-Client-IP, X-Server-IP, X-Authenticated-User, User-Agent...);
 *                           Host, Allow, Preview and Encapsulated are generated and may not be given
 * @param httpRequestHead    raw HTTP request head exactly as on the wire, ending with CRLF CRLF; REQMOD needs
 *                           it, RESPMOD may add it for context, OPTIONS has none
 * @param httpResponseHead   raw HTTP response head for RESPMOD, else null
 * @param hasBody            whether the encapsulated message has a body (else {@code null-body})
 * @param previewSize        the server's preview size (from OPTIONS) when previewing, -1 for no preview
 * @param previewBytes       the first body bytes sent as preview, at most {@code previewSize}; the
 *                           {@code Preview} header carries their actual count
 * @param previewIsWholeBody the preview is the whole body: it ends with {@code 0; ieof}
 * @param allow204           offer {@code Allow: 204} (the client keeps the original for a 204 outside preview)
 * @param allow206           offer {@code Allow: 206} (partial content, draft-icap-ext-partial-content)
 */
public record IcapRequest(IcapMethod method, URI serviceUri, IcapHeaders headers, byte[] httpRequestHead,
        byte[] httpResponseHead, boolean hasBody, int previewSize, byte[] previewBytes, boolean previewIsWholeBody,
        boolean allow204, boolean allow206) {

    private static final Set<String> GENERATED = Set.of("host", "allow", "preview", "encapsulated");
    private static final byte[] NONE = new byte[0];

    public IcapRequest {
        Objects.requireNonNull(method, "method");
        requireService(serviceUri);
        headers = headers == null ? IcapHeaders.EMPTY : headers;
        requireHeaders(headers);
        httpRequestHead = httpHead(httpRequestHead, "httpRequestHead");
        httpResponseHead = httpHead(httpResponseHead, "httpResponseHead");
        requireMessage(method, httpRequestHead, httpResponseHead, hasBody);
        previewBytes = previewBytes == null ? NONE : previewBytes.clone();
        requirePreview(hasBody, previewSize, previewBytes, previewIsWholeBody);
    }

    public static IcapRequestBuilder builder(IcapMethod method, URI serviceUri) {
        return new IcapRequestBuilder(method, serviceUri);
    }

    /** An OPTIONS request for the service, as sent once per service and again when Options-TTL expires. */
    public static IcapRequest options(URI serviceUri) {
        return builder(IcapMethod.OPTIONS, serviceUri).build();
    }

    @Override
    public byte[] httpRequestHead() {
        return httpRequestHead == null ? null : httpRequestHead.clone();
    }

    @Override
    public byte[] httpResponseHead() {
        return httpResponseHead == null ? null : httpResponseHead.clone();
    }

    @Override
    public byte[] previewBytes() {
        return previewBytes.clone();
    }

    /** Whether a preview is sent at all. */
    public boolean hasPreview() {
        return previewSize >= 0;
    }

    /**
     * Whether the server may answer 100 Continue: a preview was sent that is not the whole body. The transport
     * then sends the body from offset {@link #previewLength()} on, but only after the 100.
     */
    public boolean expectsContinue() {
        return hasPreview() && !previewIsWholeBody;
    }

    /** Number of body bytes the head already carries; the remaining body starts at this offset. */
    public int previewLength() {
        return previewBytes.length;
    }

    // records compare arrays by identity; two equal requests must compare equal
    @Override
    public boolean equals(Object other) {
        return other instanceof IcapRequest that && method == that.method && serviceUri.equals(that.serviceUri)
                && headers.equals(that.headers) && Arrays.equals(httpRequestHead, that.httpRequestHead)
                && Arrays.equals(httpResponseHead, that.httpResponseHead) && hasBody == that.hasBody
                && previewSize == that.previewSize && Arrays.equals(previewBytes, that.previewBytes)
                && previewIsWholeBody == that.previewIsWholeBody && allow204 == that.allow204
                && allow206 == that.allow206;
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, serviceUri, headers, Arrays.hashCode(httpRequestHead),
                Arrays.hashCode(httpResponseHead), hasBody, previewSize, Arrays.hashCode(previewBytes));
    }

    @Override
    public String toString() {
        return "IcapRequest[" + method + " " + serviceUri + ", headers=" + headers.size() + ", body=" + hasBody
                + ", preview=" + (hasPreview() ? previewBytes.length + "/" + previewSize
                + (previewIsWholeBody ? " ieof" : "") : "none") + ", allow204=" + allow204 + ", allow206="
                + allow206 + "]";
    }

    private static void requireService(URI uri) {
        Objects.requireNonNull(uri, "serviceUri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("icap") || scheme.equals("icaps")) || uri.getHost() == null) {
            throw new IllegalArgumentException("service URI must be icap://host[:port]/service, got " + uri);
        }
    }

    /** Rejects what would corrupt the head: CR/LF injection (e.g. via a user name), non-Latin-1, bad names. */
    private static void requireHeaders(IcapHeaders headers) {
        for (IcapHeaders.Field field : headers.fields()) {
            String name = field.name();
            if (name.isEmpty() || !name.chars().allMatch(HeaderFields::isTokenChar)) {
                throw new IllegalArgumentException("invalid ICAP header name '" + name + "'");
            }
            if (GENERATED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(name + " is generated by the encoder, do not set it");
            }
            if (!field.value().chars().allMatch(c -> c == '\t' || c >= 0x20 && c <= 0xFF && c != 0x7F)) {
                throw new IllegalArgumentException("ICAP header " + name + " has a control or non-Latin-1 char");
            }
        }
    }

    private static byte[] httpHead(byte[] head, String what) {
        if (head == null) {
            return null;
        }
        int end = indexOfBlankLine(head);
        if (end != head.length || head.length == 4) {
            throw new IllegalArgumentException(what + " must be one HTTP head ending with CRLF CRLF");
        }
        return head.clone();
    }

    /** Index just after the first CRLF CRLF, -1 without one. */
    private static int indexOfBlankLine(byte[] head) {
        for (int i = 3; i < head.length; i++) {
            if (head[i] == '\n' && head[i - 1] == '\r' && head[i - 2] == '\n' && head[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static void requireMessage(IcapMethod method, byte[] request, byte[] response, boolean hasBody) {
        boolean valid = switch (method) {
            case OPTIONS -> request == null && response == null && !hasBody;
            case REQMOD -> request != null && response == null;
            case RESPMOD -> response != null;
        };
        if (!valid) {
            throw new IllegalArgumentException(method + " needs " + switch (method) {
                case OPTIONS -> "no encapsulated message";
                case REQMOD -> "an HTTP request head and no response head";
                case RESPMOD -> "an HTTP response head";
            });
        }
    }

    private static void requirePreview(boolean hasBody, int size, byte[] bytes, boolean whole) {
        if (size < -1) {
            throw new IllegalArgumentException("previewSize must be -1 (none) or >= 0");
        }
        if (size == -1 ? bytes.length > 0 || whole : !hasBody) {
            throw new IllegalArgumentException("a preview needs a body, and no preview means no preview bytes");
        }
        if (bytes.length > Math.max(size, 0)) {
            throw new IllegalArgumentException("preview of " + bytes.length + " bytes exceeds previewSize " + size);
        }
    }
}
