package dev.loupe.gateway.mirror;

import dev.loupe.core.config.MirrorSinkConfig;
import dev.loupe.core.tap.FlowEndpoints;
import dev.loupe.core.tap.FlowHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames written to Linux interfaces (a software mirror port). With several interfaces each
 * conversation goes to one of them, chosen by a symmetric flow hash, so one tool sees whole flows.
 */
final class InterfaceSink implements MirrorSink {
    private static final Logger log = LoggerFactory.getLogger(InterfaceSink.class);

    private final List<AfPacketSocket> sockets = new ArrayList<>();
    private volatile long written;
    private volatile long dropped;

    private final MirrorSinkConfig config;

    InterfaceSink(MirrorSinkConfig config) {
        this.config = config;
        try {
            for (String name : config.interfaces()) {
                sockets.add(new AfPacketSocket(name));
            }
        } catch (IOException e) {
            sockets.forEach(AfPacketSocket::close);
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public void frame(FlowEndpoints flow, long ts, byte[] data, int off, int len) {
        AfPacketSocket socket = sockets.get(FlowHash.pick(flow, sockets.size()));
        try {
            if (socket.send(data, off, len)) {
                written++;
            } else {
                dropped++;
            }
        } catch (IOException e) {
            dropped++;
            if (dropped == 1 || dropped % 10_000 == 0) {
                log.warn("mirror interface sink: {} ({} frames dropped so far)", e.getMessage(), dropped);
            }
        }
    }

    @Override
    public MirrorSinkConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "interface:" + sockets.stream().map(AfPacketSocket::name).toList();
    }

    @Override
    public long framesWritten() {
        return written;
    }

    @Override
    public long framesDropped() {
        return dropped;
    }

    @Override
    public void close() {
        sockets.forEach(AfPacketSocket::close);
    }
}
