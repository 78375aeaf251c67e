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

    long framesWritten();

    long framesDropped();

    @Override
    void close();
}
