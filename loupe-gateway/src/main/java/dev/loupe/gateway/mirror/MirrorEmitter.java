package dev.loupe.gateway.mirror;

import dev.loupe.core.tap.FrameSink;
import java.util.List;

/** Runs on the mirror thread: turns events into frames through each flow's synthesizer, fans out to sinks. */
final class MirrorEmitter {
    /** The sinks in force (a reload replaces them, on this thread). */
    private final java.util.function.Supplier<List<MirrorSink>> sinks;

    MirrorEmitter(java.util.function.Supplier<List<MirrorSink>> sinks) {
        this.sinks = sinks;
    }

    void emit(MirrorEvent event) {
        MirrorFlow flow = event.flow();
        if (event.kind() != MirrorEvent.Kind.OPEN && !flow.synthesizer.isOpen()) {
            return; // e.g. a close after a reset: the synthesized flow has already ended
        }
        List<MirrorSink> current = sinks.get();
        FrameSink out = (ts, data, off, len) -> {
            for (MirrorSink sink : current) {
                sink.frame(flow.endpoints, ts, data, off, len);
            }
        };
        var synth = flow.synthesizer;
        long ts = event.timestampMicros();
        switch (event.kind()) {
            case OPEN -> synth.open(ts, out);
            case CLIENT_DATA -> {
                long gap = flow.droppedClientBytes.getAndSet(0);
                if (gap > 0) {
                    synth.skipClient(gap);
                }
                synth.clientData(ts, event.data(), 0, event.data().length, out);
            }
            case SERVER_DATA -> {
                long gap = flow.droppedServerBytes.getAndSet(0);
                if (gap > 0) {
                    synth.skipServer(gap);
                }
                synth.serverData(ts, event.data(), 0, event.data().length, out);
            }
            case CLOSE -> synth.close(ts, true, out);
            case RESET -> synth.reset(ts, true, out);
        }
    }
}
