package dev.loupe.core.tap;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Receives synthesized frames one at a time. The {@code data} array is borrowed: the synthesizer reuses
 * it for the next frame as soon as this call returns, so an implementation that keeps a frame beyond the
 * call (a queue, a batch) must copy {@code data[offset, offset + length)} first. Writing it straight to
 * a {@link PcapWriter} or {@link PcapNgWriter} needs no copy.
 */
@FunctionalInterface
public interface FrameSink {

    void frame(long timestampMicros, byte[] data, int offset, int length);

    /** A sink that copies every frame into {@code frames}; convenient for tests and low-rate callers. */
    static FrameSink collectingInto(List<Frame> frames) {
        Objects.requireNonNull(frames, "frames");
        return (timestampMicros, data, offset, length) ->
                frames.add(new Frame(timestampMicros, Arrays.copyOfRange(data, offset, offset + length)));
    }
}
