package dev.loupe.core.icap;

import java.util.Objects;

/**
 * The ICAP server sent something that cannot be a valid response, or a response the current exchange does
 * not allow. Checked on purpose: every caller holds an HTTP message and must decide what a broken ICAP
 * server means for it (fail open or closed), and must not reuse the connection afterwards.
 *
 * <p>The {@link #offset()} counts bytes from the first byte the decoder was fed on this connection, so
 * it can be matched against a packet capture of the ICAP stream; it is -1 when no byte is to blame
 * (e.g. a status the client did not allow).
 */
public final class IcapProtocolException extends Exception {

    /** What went wrong, for metrics and for tests that must not depend on message wording. */
    public enum Kind {
        BAD_STATUS_LINE,
        BAD_HEADER,
        HEAD_TOO_LARGE,
        BAD_ENCAPSULATED,
        BAD_HTTP_HEAD,
        BAD_CHUNK,
        CHUNK_TOO_LARGE,
        TRUNCATED,
        UNEXPECTED_RESPONSE,
        BODY_TOO_LARGE
    }

    private final Kind kind;
    private final long offset;

    public IcapProtocolException(Kind kind, String detail, long offset) {
        super(Objects.requireNonNull(kind, "kind") + ": " + detail + (offset >= 0 ? " at byte " + offset : ""));
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** Stream offset of the offending byte (or of the start of the offending line), -1 when not applicable. */
    public long offset() {
        return offset;
    }
}
