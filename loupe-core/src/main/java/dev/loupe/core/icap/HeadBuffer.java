package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Accumulates a line-oriented block (ICAP head or trailer) up to and including the empty line that ends
 * it, whatever the fragmentation of the input. It stops exactly after that line, so the bytes that follow
 * (the encapsulated heads, the next response) stay in the caller's buffer.
 */
final class HeadBuffer {
    private final int limit;
    private final String what;
    private byte[] bytes = new byte[512];
    private int size;
    private int lineStart;
    private boolean complete;

    /** @param what names the block in the error raised when it outgrows {@code limit} */
    HeadBuffer(int limit, String what) {
        this.limit = limit;
        this.what = what;
    }

    void reset() {
        size = 0;
        lineStart = 0;
        complete = false;
        if (bytes.length > 4096) {
            bytes = new byte[512]; // do not keep a huge buffer alive on a long-lived connection
        }
    }

    /**
     * Consumes bytes until the block is complete.
     *
     * @param base stream offset of {@code in}'s index 0, for error reports
     * @return whether the block is now complete
     */
    boolean fill(ByteBuffer in, long base) throws IcapProtocolException {
        while (!complete && in.hasRemaining()) {
            if (size == limit) {
                throw new IcapProtocolException(Kind.HEAD_TOO_LARGE, what + " exceeds " + limit + " bytes",
                        base + in.position());
            }
            byte b = in.get();
            append(b);
            if (b == '\n') {
                // the line is empty when it holds nothing but the LF, or CR LF
                int length = size - lineStart;
                complete = length == 1 || length == 2 && bytes[size - 2] == '\r';
                lineStart = size;
            }
        }
        return complete;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** The internal array; valid in {@code [0, size())} until the next {@link #reset()}. */
    byte[] bytes() {
        return bytes;
    }

    private void append(byte b) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(limit, bytes.length * 2));
        }
        bytes[size++] = b;
    }
}
