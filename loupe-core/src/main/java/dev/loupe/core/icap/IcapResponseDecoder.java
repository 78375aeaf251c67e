package dev.loupe.core.icap;

import dev.loupe.core.icap.Encapsulated.Section;
import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Incremental decoder for the server-to-client side of one ICAP connection: any fragmentation in, a stream
 * of {@link IcapEvent}s out (Head, BodyData..., End per response; consecutive responses on a persistent
 * connection decode one after the other). Bytes that do not yet complete anything are buffered ("need
 * more"), which is not an error; only {@link #endOfInput()} turns an unfinished response into a
 * {@code TRUNCATED} error.
 *
 * <p>The only exception thrown for any input is {@link IcapProtocolException}. After one, the decoder is
 * failed for good (the connection's framing is lost) and rethrows the same exception on every call.
 * Not thread-safe: one decoder per connection, used from its event loop.
 */
public final class IcapResponseDecoder {
    private enum State { HEAD, SECTIONS, BODY }

    private final IcapLimits limits;
    private final HeadBuffer headBuffer;
    private final ChunkedBodyDecoder body;
    private State state = State.HEAD;
    private long position;
    private long messageStart;
    private IcapResponseHead head;
    private byte[] sections;
    private int sectionsFilled;
    private long sectionsStart;
    private IcapProtocolException failure;

    public IcapResponseDecoder() {
        this(IcapLimits.DEFAULTS);
    }

    public IcapResponseDecoder(IcapLimits limits) {
        this.limits = limits;
        this.headBuffer = new HeadBuffer(limits.maxHeadBytes(), "ICAP response head");
        this.body = new ChunkedBodyDecoder(limits);
    }

    /**
     * Consumes all remaining bytes of {@code in} (its position ends at its limit, unless an exception is
     * thrown) and passes every event they complete to {@code sink}, which must not throw.
     */
    public void feed(ByteBuffer in, Consumer<? super IcapEvent> sink) throws IcapProtocolException {
        if (failure != null) {
            throw failure;
        }
        long base = position - in.position();
        try {
            while (in.hasRemaining()) {
                switch (state) {
                    case HEAD -> readHead(in, base, sink);
                    case SECTIONS -> readSections(in, sink);
                    case BODY -> readBody(in, base, sink);
                }
            }
        } catch (IcapProtocolException e) {
            failure = e;
            throw e;
        } finally {
            position = base + in.position();
        }
    }

    /** Convenience form of {@link #feed(ByteBuffer, Consumer)} collecting the events. */
    public List<IcapEvent> feed(ByteBuffer in) throws IcapProtocolException {
        List<IcapEvent> events = new ArrayList<>();
        feed(in, events::add);
        return events;
    }

    /** The server closed the connection: fine between responses, {@code TRUNCATED} inside one. */
    public void endOfInput() throws IcapProtocolException {
        if (failure != null) {
            throw failure;
        }
        if (isBetweenResponses()) {
            return;
        }
        String where = switch (state) {
            case HEAD -> "inside the ICAP response head (" + headBuffer.size() + " bytes received)";
            case SECTIONS -> "inside the encapsulated HTTP heads (" + sectionsFilled + " of " + sections.length
                    + " bytes received)";
            case BODY -> body.describePosition();
        };
        failure = new IcapProtocolException(Kind.TRUNCATED, "stream ended " + where, position);
        throw failure;
    }

    /** No partial response is pending: the connection may be reused (or closed) without losing anything. */
    public boolean isBetweenResponses() {
        return failure == null && state == State.HEAD && headBuffer.isEmpty();
    }

    /** Number of bytes consumed so far on this connection. */
    public long position() {
        return position;
    }

    private void readHead(ByteBuffer in, long base, Consumer<? super IcapEvent> sink) throws IcapProtocolException {
        if (headBuffer.isEmpty()) {
            messageStart = base + in.position();
        }
        if (!headBuffer.fill(in, base)) {
            return;
        }
        head = IcapHeadParser.parse(headBuffer.bytes(), headBuffer.size(), messageStart, limits);
        int length = head.encapsulated().headLength();
        if (length > 0) {
            sections = new byte[length];
            sectionsFilled = 0;
            sectionsStart = base + in.position();
            state = State.SECTIONS;
        } else {
            startBody(sink);
        }
    }

    private void readSections(ByteBuffer in, Consumer<? super IcapEvent> sink) throws IcapProtocolException {
        int count = Math.min(sections.length - sectionsFilled, in.remaining());
        in.get(sections, sectionsFilled, count);
        sectionsFilled += count;
        if (sectionsFilled < sections.length) {
            return;
        }
        head = head.withHttpHeads(section(Section.REQ_HDR), section(Section.RES_HDR));
        sections = null;
        startBody(sink);
    }

    private HttpHead section(Section section) throws IcapProtocolException {
        Encapsulated encapsulated = head.encapsulated();
        int from = encapsulated.offset(section);
        return from < 0 ? null : HttpHead.parse(sections, from, encapsulated.end(section), sectionsStart);
    }

    private void startBody(Consumer<? super IcapEvent> sink) {
        sink.accept(new IcapEvent.Head(head));
        if (head.hasBody()) {
            body.reset();
            state = State.BODY;
        } else {
            finish(sink, IcapHeaders.EMPTY, -1);
        }
    }

    private void readBody(ByteBuffer in, long base, Consumer<? super IcapEvent> sink) throws IcapProtocolException {
        if (body.decode(in, base, sink)) {
            finish(sink, body.trailers(), body.useOriginalBody());
        }
    }

    private void finish(Consumer<? super IcapEvent> sink, IcapHeaders trailers, long useOriginalBodyFrom) {
        IcapResponseHead done = head;
        head = null;
        headBuffer.reset();
        state = State.HEAD;
        sink.accept(new IcapEvent.End(done, trailers, useOriginalBodyFrom));
    }
}
