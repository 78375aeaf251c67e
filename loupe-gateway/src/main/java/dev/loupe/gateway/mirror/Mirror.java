package dev.loupe.gateway.mirror;

import dev.loupe.core.config.MirrorConfig;
import dev.loupe.core.config.MirrorSinkConfig;
import dev.loupe.core.tap.FlowEndpoints;
import dev.loupe.core.tap.MirrorAddressing;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror: event loops hand it copies of plaintext, one thread turns them into packets and feeds
 * every sink. It never slows traffic: the hand-off is bounded by bytes, and when the budget is spent
 * events are dropped and counted (the flow then shows a gap), never waited for.
 */
public final class Mirror implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mirror.class);
    private static final MirrorEvent STOP = new MirrorEvent(null, MirrorEvent.Kind.CLOSE, 0, null);

    /** Replaced by a reload (see {@link #reconfigure}); flows opened after it use the new addressing. */
    private volatile MirrorConfig config;
    private volatile MirrorAddressing addressing;
    /** Written only by the mirror thread (a reload's swap runs there), read by stats from anywhere. */
    private volatile List<MirrorSink> sinks;
    /** Work for the mirror thread: a reload swaps the sinks there, so a sink is never closed mid-frame. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> tasks =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private final Clock clock;
    private final LinkedBlockingQueue<MirrorEvent> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    private final Thread thread;

    private Mirror(MirrorConfig config, List<MirrorSink> sinks, Clock clock) {
        this.config = config;
        this.sinks = sinks;
        this.clock = clock;
        this.addressing = addressing(config);
        this.thread = Thread.ofPlatform().daemon().name("loupe-mirror").unstarted(this::run);
        thread.start();
    }

    private static MirrorAddressing addressing(MirrorConfig config) {
        return new MirrorAddressing(MirrorConfig.macBytes(config.clientMac()),
                MirrorConfig.macBytes(config.serverMac()), config.vlan(), config.mss());
    }

    /** Null when no sink is configured: callers skip mirroring entirely. */
    public static Mirror start(MirrorConfig config, io.netty.channel.EventLoopGroup loops,
                               Class<? extends io.netty.channel.ServerChannel> serverChannel) throws Exception {
        if (!config.enabled()) {
            return null;
        }
        return new Mirror(config, open(config.sinks(), List.of(), loops, serverChannel), Clock.systemUTC());
    }

    /** The sinks for {@code wanted}: running ones with the same settings are kept, the others opened. */
    private static List<MirrorSink> open(List<MirrorSinkConfig> wanted, List<MirrorSink> running,
                                         io.netty.channel.EventLoopGroup loops,
                                         Class<? extends io.netty.channel.ServerChannel> serverChannel)
            throws Exception {
        List<MirrorSink> sinks = new ArrayList<>();
        List<MirrorSink> opened = new ArrayList<>();
        try {
            for (MirrorSinkConfig sink : wanted) {
                MirrorSink kept = running.stream().filter(r -> r.config().equals(sink)).findFirst().orElse(null);
                if (kept != null) {
                    sinks.add(kept);
                    continue;
                }
                MirrorSink fresh = switch (sink.type()) {
                    case MirrorSinkConfig.PCAP_FILE -> new PcapFileSink(sink, Clock.systemUTC());
                    case MirrorSinkConfig.PCAP_OVER_IP -> PcapOverIpSink.start(sink, loops, serverChannel);
                    case MirrorSinkConfig.INTERFACE -> new InterfaceSink(sink);
                    default -> throw new IllegalArgumentException("unknown mirror sink type " + sink.type());
                };
                opened.add(fresh);
                sinks.add(fresh);
            }
        } catch (Exception | Error e) {
            opened.forEach(MirrorSink::close);
            throw e;
        }
        return List.copyOf(sinks);
    }

    /**
     * Applies a reloaded mirror section. Sinks are outputs of the whole gateway, like the log: the change
     * reaches every connection at once, open ones included (a new sink sees their flows from the next packet,
     * as an IDS started mid-stream would; a removed sink is closed after its last frame). Unchanged sinks stay
     * open (a PCAP-over-IP reader stays connected). With no sink left the mirror idles until a reload adds one.
     * Opening a new sink can fail (a port in use): then nothing changes and the exception says why.
     */
    public void reconfigure(MirrorConfig next, io.netty.channel.EventLoopGroup loops,
                            Class<? extends io.netty.channel.ServerChannel> serverChannel) throws Exception {
        List<MirrorSink> running = sinks;
        List<MirrorSink> nextSinks = open(next.sinks(), running, loops, serverChannel);
        List<MirrorSink> removed = running.stream().filter(r -> !nextSinks.contains(r)).toList();
        config = next;
        addressing = addressing(next);
        tasks.add(() -> {
            sinks = nextSinks;
            removed.forEach(MirrorSink::close);
        });
        log.info("mirror reconfigured: {} sink(s) kept, {} opened, {} closed",
                running.size() - removed.size(), nextSinks.size() - (running.size() - removed.size()), removed.size());
    }

    public boolean includeRelayed() {
        return config.includeRelayed();
    }

    public List<MirrorSinkStats> stats() {
        return sinks.stream().map(s -> new MirrorSinkStats(s.name(), s.framesWritten(), s.framesDropped())).toList();
    }

    public long droppedEvents() {
        return droppedEvents.get();
    }

    /** A new mirrored conversation between the client and the origin the upstream channel reached. */
    MirrorFlow open(InetSocketAddress client, InetSocketAddress server) {
        int port = config.serverPortMap().getOrDefault(server.getPort(), server.getPort());
        var endpoints = new FlowEndpoints(normalise(client, server), client.getPort(), server.getAddress(), port);
        MirrorFlow flow = new MirrorFlow(endpoints, addressing);
        control(flow, MirrorEvent.Kind.OPEN);
        return flow;
    }

    /** Copies the readable bytes of {@code buf} (ownership stays with the caller). */
    void data(MirrorFlow flow, boolean fromClient, ByteBuf buf) {
        int n = buf.readableBytes();
        if (n == 0 || closed) {
            return;
        }
        if (queuedBytes.addAndGet(n) > config.queueBytes()) {
            queuedBytes.addAndGet(-n);
            droppedEvents.incrementAndGet();
            droppedBytes.addAndGet(n);
            (fromClient ? flow.droppedClientBytes : flow.droppedServerBytes).addAndGet(n);
            return;
        }
        byte[] copy = new byte[n];
        buf.getBytes(buf.readerIndex(), copy);
        queue.add(new MirrorEvent(flow, fromClient ? MirrorEvent.Kind.CLIENT_DATA : MirrorEvent.Kind.SERVER_DATA,
                micros(), copy));
    }

    void control(MirrorFlow flow, MirrorEvent.Kind kind) {
        if (closed) {
            return;
        }
        queue.add(new MirrorEvent(flow, kind, micros(), null));
    }

    private long micros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** Both ends of a synthesized flow must be the same IP family; an IPv4 client of an IPv6 origin is mapped. */
    private static java.net.InetAddress normalise(InetSocketAddress client, InetSocketAddress server) {
        java.net.InetAddress c = client.getAddress();
        if (c.getAddress().length == server.getAddress().getAddress().length) {
            return c;
        }
        byte[] v4 = c.getAddress();
        if (v4.length == 4) {
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(v4, 0, mapped, 12, 4);
            try {
                return java.net.InetAddress.getByAddress(mapped);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return c;
    }

    private void run() {
        MirrorEmitter emitter = new MirrorEmitter(() -> sinks);
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long nextFlush = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try {
            while (true) {
                MirrorEvent event = queue.poll(tasks.isEmpty() ? 1000 : 0, TimeUnit.MILLISECONDS);
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                if (event == STOP) {
                    return;
                }
                if (event != null) {
                    if (event.data() != null) {
                        queuedBytes.addAndGet(-event.data().length);
                    }
                    emitSafely(emitter, event);
                }
                if (System.nanoTime() > nextFlush) {
                    // a file reader (tail, tcpdump -r, an IDS reading rotated files) sees frames within a second
                    nextFlush = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    sinks.forEach(MirrorSink::flush);
                }
                if (System.nanoTime() > nextReport) {
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    report();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A bug in one flow's synthesis must not stop the mirror for every other flow. */
    private static void emitSafely(MirrorEmitter emitter, MirrorEvent event) {
        try {
            emitter.emit(event);
        } catch (RuntimeException e) {
            log.warn("mirror event {} for {} failed: {}", event.kind(), event.flow().endpoints, e.toString());
        }
    }

    private long reportedDrops;

    private void report() {
        long drops = droppedEvents.get() + sinks.stream().mapToLong(MirrorSink::framesDropped).sum();
        if (drops != reportedDrops) {
            reportedDrops = drops;
            log.warn("mirror could not keep up: {} events ({} bytes) dropped before synthesis; per sink: {}",
                    droppedEvents.get(), droppedBytes.get(), stats());
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sinks.forEach(MirrorSink::close);
    }
}
