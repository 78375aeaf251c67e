package dev.loupe.core.tap;

import static dev.loupe.core.tap.TcpFlags.ACK;
import static dev.loupe.core.tap.TcpFlags.FIN;
import static dev.loupe.core.tap.TcpFlags.PSH;
import static dev.loupe.core.tap.TcpFlags.RST;
import static dev.loupe.core.tap.TcpFlags.SYN;

import java.util.Objects;

/**
 * Replays one decrypted conversation as a clean, loss-free TCP connection: handshake, data segmented at
 * the MSS, acknowledgements and teardown, with sequence numbers a passive tool can reassemble without a
 * single "previous segment not captured" or "ACKed unseen segment" warning.
 *
 * <p>Not thread-safe: one owner (the connection's event loop) calls it. Frames go to a {@link FrameSink}
 * from a buffer reused for the next frame, so the data path allocates nothing per segment.
 *
 * <p>Sequence numbers are kept in {@code int}s on purpose: Java's wrapping int arithmetic is exactly TCP's
 * modulo-2<sup>32</sup> sequence space.
 */
public final class TcpFlowSynthesizer {
    private static final byte[] NO_PAYLOAD = new byte[0];
    private static final long MAX_ISN = 0xFFFF_FFFFL;

    private enum State { NEW, OPEN, CLOSED }

    private final FrameEncoder encoder;
    private int clientNext;
    private int serverNext;
    private long lastTimestamp = Long.MIN_VALUE;
    private State state = State.NEW;

    /** @param clientIsn the client's initial sequence number, 0..2^32-1 (likewise {@code serverIsn}) */
    public TcpFlowSynthesizer(FlowEndpoints endpoints, MirrorAddressing addressing, long clientIsn, long serverIsn) {
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(addressing, "addressing");
        this.clientNext = checkIsn("clientIsn", clientIsn);
        this.serverNext = checkIsn("serverIsn", serverIsn);
        this.encoder = new FrameEncoder(endpoints, addressing);
    }

    /** Emits SYN, SYN/ACK and ACK. */
    public void open(long timestampMicros, FrameSink sink) {
        requireState(State.NEW, "open");
        long ts = monotonic(timestampMicros);
        state = State.OPEN;
        send(sink, ts, true, SYN, NO_PAYLOAD, 0, 0);
        send(sink, ts, false, SYN | ACK, NO_PAYLOAD, 0, 0);
        send(sink, ts, true, ACK, NO_PAYLOAD, 0, 0);
    }

    /** Emits {@code data[offset, offset + length)} from client to server, then the server's ACK. */
    public void clientData(long timestampMicros, byte[] data, int offset, int length, FrameSink sink) {
        data(true, timestampMicros, data, offset, length, sink);
    }

    /** Emits {@code data[offset, offset + length)} from server to client, then the client's ACK. */
    public void serverData(long timestampMicros, byte[] data, int offset, int length, FrameSink sink) {
        data(false, timestampMicros, data, offset, length, sink);
    }

    /** Graceful close initiated by the client; see {@link #close(long, boolean, FrameSink)}. */
    public void close(long timestampMicros, FrameSink sink) {
        close(timestampMicros, true, sink);
    }

    /** Emits FIN from the closing side, its ACK, the peer's FIN and the final ACK. */
    public void close(long timestampMicros, boolean clientFirst, FrameSink sink) {
        requireState(State.OPEN, "close");
        long ts = monotonic(timestampMicros);
        state = State.CLOSED;
        send(sink, ts, clientFirst, FIN | ACK, NO_PAYLOAD, 0, 0);
        send(sink, ts, !clientFirst, ACK, NO_PAYLOAD, 0, 0);
        send(sink, ts, !clientFirst, FIN | ACK, NO_PAYLOAD, 0, 0);
        send(sink, ts, clientFirst, ACK, NO_PAYLOAD, 0, 0);
    }

    /** Emits one RST (with ACK, as a stack aborting an established connection does) and ends the flow. */
    public void reset(long timestampMicros, boolean fromClient, FrameSink sink) {
        requireState(State.OPEN, "reset");
        long ts = monotonic(timestampMicros);
        state = State.CLOSED;
        send(sink, ts, fromClient, RST | ACK, NO_PAYLOAD, 0, 0);
    }

    /**
     * Accounts for {@code bytes} of the client's stream that were lost before synthesis (the mirror
     * dropped them under load): the next client segment starts that far ahead, so a reader sees a gap,
     * exactly as on a lossy span port, instead of unrelated bytes spliced together.
     */
    public void skipClient(long bytes) {
        requireState(State.OPEN, "skip on");
        clientNext += (int) bytes;
    }

    /** The server-side counterpart of {@link #skipClient(long)}. */
    public void skipServer(long bytes) {
        requireState(State.OPEN, "skip on");
        serverNext += (int) bytes;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** The sequence number the client will use next, as an unsigned 32-bit value. */
    public long clientNextSeq() {
        return Integer.toUnsignedLong(clientNext);
    }

    /** The sequence number the server will use next, as an unsigned 32-bit value. */
    public long serverNextSeq() {
        return Integer.toUnsignedLong(serverNext);
    }

    /**
     * Segments a burst and has the receiver acknowledge it. The receiver also acknowledges mid-burst
     * before the sender's unacknowledged bytes could reach the fixed 64 KiB window, because a real
     * sender would stall there and analysers flag a full window.
     */
    private void data(boolean fromClient, long timestampMicros, byte[] data, int offset, int length, FrameSink sink) {
        Objects.checkFromIndexSize(offset, length, data.length);
        requireState(State.OPEN, "send data on");
        long ts = monotonic(timestampMicros);
        int mss = encoder.maxPayload();
        int end = offset + length;
        int unacknowledged = 0;
        for (int position = offset; position < end; ) {
            int size = Math.min(mss, end - position);
            boolean last = position + size == end;
            send(sink, ts, fromClient, last ? ACK | PSH : ACK, data, position, size);
            position += size;
            unacknowledged += size;
            if (last || unacknowledged + mss >= FrameEncoder.WINDOW) {
                send(sink, ts, !fromClient, ACK, NO_PAYLOAD, 0, 0);
                unacknowledged = 0;
            }
        }
    }

    private void send(FrameSink sink, long ts, boolean fromClient, int flags, byte[] data, int offset, int length) {
        int seq = fromClient ? clientNext : serverNext;
        int ack = (flags & ACK) == 0 ? 0 : fromClient ? serverNext : clientNext;
        int frameLength = encoder.encode(fromClient, seq, ack, flags, data, offset, length);
        // SYN and FIN each occupy one sequence number; RST occupies none.
        int advance = length + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
        if (fromClient) {
            clientNext += advance;
        } else {
            serverNext += advance;
        }
        sink.frame(ts, encoder.frame(), 0, frameLength);
    }

    /** Callers on different threads may stamp slightly out of order; a capture must never go backwards. */
    private long monotonic(long timestampMicros) {
        lastTimestamp = Math.max(lastTimestamp, timestampMicros);
        return lastTimestamp;
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new IllegalStateException("cannot " + action + " a flow that is " + state);
        }
    }

    private static int checkIsn(String name, long isn) {
        if (isn < 0 || isn > MAX_ISN) {
            throw new IllegalArgumentException(name + " " + isn + " outside 0..2^32-1");
        }
        return (int) isn;
    }
}
