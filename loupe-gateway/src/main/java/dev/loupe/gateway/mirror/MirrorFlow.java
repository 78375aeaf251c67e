package dev.loupe.gateway.mirror;

import dev.loupe.core.tap.FlowEndpoints;
import dev.loupe.core.tap.MirrorAddressing;
import dev.loupe.core.tap.TcpFlowSynthesizer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mirrored conversation. The synthesizer is touched only by the mirror thread; the gap counters
 * are written by the event loop when an event had to be dropped, so the synthesized stream shows a
 * gap (like a lossy span port) instead of splicing unrelated bytes together.
 */
final class MirrorFlow {
    final FlowEndpoints endpoints;
    final TcpFlowSynthesizer synthesizer;
    final AtomicLong droppedClientBytes = new AtomicLong();
    final AtomicLong droppedServerBytes = new AtomicLong();

    MirrorFlow(FlowEndpoints endpoints, MirrorAddressing addressing) {
        this.endpoints = endpoints;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.synthesizer = new TcpFlowSynthesizer(endpoints, addressing,
                random.nextLong(1L << 32), random.nextLong(1L << 32));
    }
}
