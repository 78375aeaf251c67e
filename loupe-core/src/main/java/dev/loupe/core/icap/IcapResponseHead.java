package dev.loupe.core.icap;

import java.util.Objects;
import java.util.Optional;

/**
 * Everything of an ICAP response that precedes its body: status, ICAP headers, the Encapsulated framing and
 * the encapsulated HTTP heads it carries.
 *
 * @param status           ICAP status code (100-599)
 * @param reason           reason phrase, possibly empty
 * @param headers          ICAP headers in wire order
 * @param encapsulated     framing of what follows; {@link Encapsulated#NONE} for 100, 204 and header-less replies
 * @param httpRequestHead  the {@code req-hdr} section (a modified request in a REQMOD 200), or null
 * @param httpResponseHead the {@code res-hdr} section (modified response or block page), or null
 */
public record IcapResponseHead(int status, String reason, IcapHeaders headers, Encapsulated encapsulated,
        HttpHead httpRequestHead, HttpHead httpResponseHead) {

    public IcapResponseHead {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(encapsulated, "encapsulated");
    }

    /** The service tag, as sent (including its quotes): it changes whenever the service's verdicts may change. */
    public Optional<String> isTag() {
        return headers.first("ISTag");
    }

    /** Whether a chunked body (HTTP body, or OPTIONS body) follows the heads. */
    public boolean hasBody() {
        return encapsulated.hasBody();
    }

    /** The server announced it will close the connection after this response. */
    public boolean closesConnection() {
        return headers.hasToken("Connection", "close");
    }

    IcapResponseHead withHttpHeads(HttpHead request, HttpHead response) {
        return new IcapResponseHead(status, reason, headers, encapsulated, request, response);
    }
}
