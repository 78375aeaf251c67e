package dev.loupe.core.icap;

import java.net.URI;
import java.util.Arrays;
import java.util.Objects;

/**
 * Fluent construction of an {@link IcapRequest}; validation happens in {@link #build()}. Typical REQMOD:
 *
 * <pre>{@code
 * IcapRequest.builder(IcapMethod.REQMOD, uri)
 *         .header("X-Client-IP", "10.1.2.3")
 *         .httpRequestHead(rawHead)
 *         .previewFrom(options.preview(), firstBodyBytes, bodyComplete)
 *         .allow204(true)
 *         .build();
 * }</pre>
 */
public final class IcapRequestBuilder {
    private final IcapMethod method;
    private final URI serviceUri;
    private IcapHeaders headers = IcapHeaders.EMPTY;
    private byte[] httpRequestHead;
    private byte[] httpResponseHead;
    private boolean hasBody;
    private int previewSize = -1;
    private byte[] previewBytes;
    private boolean previewIsWholeBody;
    private boolean allow204;
    private boolean allow206;

    IcapRequestBuilder(IcapMethod method, URI serviceUri) {
        this.method = Objects.requireNonNull(method, "method");
        this.serviceUri = Objects.requireNonNull(serviceUri, "serviceUri");
    }

    /** Adds an extra ICAP header, after those added before. */
    public IcapRequestBuilder header(String name, String value) {
        headers = headers.with(name, value);
        return this;
    }

    public IcapRequestBuilder httpRequestHead(byte[] head) {
        this.httpRequestHead = head;
        return this;
    }

    public IcapRequestBuilder httpResponseHead(byte[] head) {
        this.httpResponseHead = head;
        return this;
    }

    /** The message has a body, sent without preview (streamed right after the head). */
    public IcapRequestBuilder body() {
        this.hasBody = true;
        return this;
    }

    /** The message has a body whose first bytes go out as preview; see {@link IcapRequest} for the fields. */
    public IcapRequestBuilder preview(int size, byte[] bytes, boolean wholeBody) {
        this.hasBody = true;
        this.previewSize = size;
        this.previewBytes = bytes;
        this.previewIsWholeBody = wholeBody;
        return this;
    }

    /**
     * Derives the preview from what the transport has of the body so far.
     *
     * @param serverPreview the {@code Preview} value of the service's OPTIONS
     * @param bodyStart     the body bytes available now (may be more or fewer than the preview)
     * @param bodyComplete  whether {@code bodyStart} is the entire body
     */
    public IcapRequestBuilder previewFrom(int serverPreview, byte[] bodyStart, boolean bodyComplete) {
        if (serverPreview < 0) {
            throw new IllegalArgumentException("the service offers no preview; use body() instead");
        }
        int length = Math.min(serverPreview, bodyStart.length);
        return preview(serverPreview, Arrays.copyOf(bodyStart, length),
                bodyComplete && bodyStart.length <= serverPreview);
    }

    public IcapRequestBuilder allow204(boolean allow) {
        this.allow204 = allow;
        return this;
    }

    public IcapRequestBuilder allow206(boolean allow) {
        this.allow206 = allow;
        return this;
    }

    /** @throws IllegalArgumentException when the combination cannot be a valid ICAP request */
    public IcapRequest build() {
        return new IcapRequest(method, serviceUri, headers, httpRequestHead, httpResponseHead, hasBody, previewSize,
                previewBytes, previewIsWholeBody, allow204, allow206);
    }
}
