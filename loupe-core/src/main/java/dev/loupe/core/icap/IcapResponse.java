package dev.loupe.core.icap;

import java.util.Arrays;
import java.util.Objects;

/**
 * A whole ICAP response with its body collected, for small messages (block pages, OPTIONS bodies, tests).
 * Large modified bodies should be streamed from {@link IcapEvent.BodyData} instead; see
 * {@link IcapResponseCollector}.
 *
 * @param body                de-chunked body, empty when there is none
 * @param useOriginalBodyFrom see {@link IcapEvent.End#useOriginalBodyFrom()}
 */
public record IcapResponse(IcapResponseHead head, byte[] body, IcapHeaders trailers, long useOriginalBodyFrom) {

    public IcapResponse {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(trailers, "trailers");
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public int status() {
        return head.status();
    }

    // records compare arrays by identity; responses decoded twice must compare equal
    @Override
    public boolean equals(Object other) {
        return other instanceof IcapResponse that
                && head.equals(that.head)
                && Arrays.equals(body, that.body)
                && trailers.equals(that.trailers)
                && useOriginalBodyFrom == that.useOriginalBodyFrom;
    }

    @Override
    public int hashCode() {
        return Objects.hash(head, Arrays.hashCode(body), trailers, useOriginalBodyFrom);
    }

    @Override
    public String toString() {
        return "IcapResponse[" + head + ", body=" + body.length + " bytes, trailers=" + trailers
                + ", useOriginalBodyFrom=" + useOriginalBodyFrom + "]";
    }
}
