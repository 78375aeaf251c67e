package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Incremental decoder for one chunked ICAP body (RFC 3507 section 4.4.1 uses HTTP/1.1 chunking). Data is
 * handed out as soon as it arrives, so a large modified body streams through without being buffered; only
 * the short chunk-size lines and the trailer block are accumulated, within {@link IcapLimits}.
 */
final class ChunkedBodyDecoder {
    private enum State { SIZE_LINE, DATA, DATA_CR, DATA_LF, TRAILERS, DONE }

    private final long maxChunkSize;
    private final byte[] line;
    private final HeadBuffer trailerBuffer;
    private State state = State.SIZE_LINE;
    private int lineLength;
    private long lineStart;
    private long trailerStart;
    private long remaining;
    private long useOriginalBody = -1;
    private IcapHeaders trailers = IcapHeaders.EMPTY;

    ChunkedBodyDecoder(IcapLimits limits) {
        this.maxChunkSize = limits.maxChunkSize();
        this.line = new byte[limits.maxChunkLineBytes()];
        this.trailerBuffer = new HeadBuffer(limits.maxHeadBytes(), "ICAP trailer");
    }

    void reset() {
        state = State.SIZE_LINE;
        lineLength = 0;
        remaining = 0;
        useOriginalBody = -1;
        trailers = IcapHeaders.EMPTY;
        trailerBuffer.reset();
    }

    /**
     * Consumes bytes until the body ends or the input is exhausted.
     *
     * @param base stream offset of {@code in}'s index 0
     * @return whether the last chunk and the trailer block have been consumed
     */
    boolean decode(ByteBuffer in, long base, Consumer<? super IcapEvent> sink) throws IcapProtocolException {
        while (state != State.DONE && in.hasRemaining()) {
            switch (state) {
                case SIZE_LINE -> readSizeLine(in, base);
                case DATA -> readData(in, sink);
                case DATA_CR, DATA_LF -> readDataEnd(in, base);
                case TRAILERS -> readTrailers(in, base);
                case DONE -> throw new IllegalStateException("loop condition excludes DONE");
            }
        }
        return state == State.DONE;
    }

    IcapHeaders trailers() {
        return trailers;
    }

    long useOriginalBody() {
        return useOriginalBody;
    }

    /** Where a stream that ends now was cut, for the truncation error. */
    String describePosition() {
        return switch (state) {
            case SIZE_LINE -> "inside the chunked body, at a chunk-size line";
            case DATA -> "inside chunk data, " + remaining + " bytes missing";
            case DATA_CR, DATA_LF -> "after chunk data, before its CRLF";
            case TRAILERS -> "after the last chunk, before the empty line that ends the body";
            case DONE -> "after the body";
        };
    }

    private void readSizeLine(ByteBuffer in, long base) throws IcapProtocolException {
        if (lineLength == 0) {
            lineStart = base + in.position();
        }
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                onSizeLine(base + in.position());
                return;
            }
            if (lineLength == line.length) {
                throw new IcapProtocolException(Kind.BAD_CHUNK, "chunk-size line longer than " + line.length
                        + " bytes", lineStart);
            }
            line[lineLength++] = b;
        }
    }

    private void onSizeLine(long next) throws IcapProtocolException {
        ChunkLine chunk = ChunkLine.parse(line, lineLength, maxChunkSize, lineStart);
        lineLength = 0;
        if (chunk.size() > 0) {
            remaining = chunk.size();
            state = State.DATA;
        } else {
            // the 206 extension belongs to the last chunk (draft-icap-ext-partial-content section 5.2)
            useOriginalBody = chunk.useOriginalBody();
            trailerBuffer.reset();
            trailerStart = next;
            state = State.TRAILERS;
        }
    }

    private void readData(ByteBuffer in, Consumer<? super IcapEvent> sink) {
        byte[] piece = new byte[(int) Math.min(remaining, in.remaining())];
        in.get(piece);
        remaining -= piece.length;
        if (remaining == 0) {
            state = State.DATA_CR;
        }
        sink.accept(new IcapEvent.BodyData(piece));
    }

    private void readDataEnd(ByteBuffer in, long base) throws IcapProtocolException {
        long at = base + in.position();
        byte b = in.get();
        if (state == State.DATA_CR && b == '\r') {
            state = State.DATA_LF;
        } else if (b == '\n') {
            state = State.SIZE_LINE; // a bare LF is accepted, as for every other line end
        } else {
            throw new IcapProtocolException(Kind.BAD_CHUNK, "chunk data not followed by CRLF", at);
        }
    }

    private void readTrailers(ByteBuffer in, long base) throws IcapProtocolException {
        if (trailerBuffer.fill(in, base)) {
            trailers = HeaderFields.parse(trailerBuffer.bytes(), 0, trailerBuffer.size(), trailerStart,
                    Kind.BAD_HEADER);
            state = State.DONE;
        }
    }
}
