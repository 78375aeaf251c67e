package dev.loupe.gateway.mirror;

import dev.loupe.core.tap.FlowEndpoints;

/**
 * A destination for synthesized frames. Called only from the mirror thread. A sink that cannot keep
 * up drops whole frames and counts them; it never blocks the caller for long.
 */
interface MirrorSink extends AutoCloseable {
    /** {@code data} is only valid during the call (the synthesizer reuses its buffer). */
    void frame(FlowEndpoints flow, long timestampMicros, byte[] data, int offset, int length);

    String name();

    /** The settings it was opened with: a reload keeps a sink whose settings did not change. */
    dev.loupe.core.config.MirrorSinkConfig config();

    long framesWritten();

    long framesDropped();

    /** Pushes buffered frames out (the mirror calls it about once a second): readers of a file see them soon. */
    default void flush() {
    }

    @Override
    void close();
}
