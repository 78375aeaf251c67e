package dev.loupe.core.tap;

import java.util.Arrays;
import java.util.Objects;

/** One owned, immutable copy of a synthesized frame, for callers that keep frames beyond a sink call. */
public record Frame(long timestampMicros, byte[] bytes) {

    public Frame {
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Frame that && timestampMicros == that.timestampMicros
                && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(timestampMicros) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Frame[timestampMicros=" + timestampMicros + ", length=" + bytes.length + "]";
    }
}
