package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Folds decoder events into whole {@link IcapResponse}s, for the responses worth holding in memory (block
 * pages, 204s, OPTIONS). A body beyond {@code maxBodyBytes} is a {@code BODY_TOO_LARGE} error rather than an
 * allocation the server controls.
 */
public final class IcapResponseCollector {
    private final int maxBodyBytes;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    public IcapResponseCollector(int maxBodyBytes) {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative");
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    /** @return the complete response when {@code event} is its End */
    public Optional<IcapResponse> accept(IcapEvent event) throws IcapProtocolException {
        switch (event) {
            case IcapEvent.Head head -> body.reset();
            case IcapEvent.BodyData data -> append(data.bytes());
            case IcapEvent.End end -> {
                return Optional.of(new IcapResponse(end.head(), body.toByteArray(), end.trailers(),
                        end.useOriginalBodyFrom()));
            }
        }
        return Optional.empty();
    }

    /**
     * Decodes a complete server-to-client stream (everything up to the connection's close) into its
     * responses; a stream cut inside a response is {@code TRUNCATED}.
     */
    public static List<IcapResponse> decodeAll(byte[] stream, IcapLimits limits, int maxBodyBytes)
            throws IcapProtocolException {
        IcapResponseDecoder decoder = new IcapResponseDecoder(limits);
        List<IcapEvent> events = decoder.feed(ByteBuffer.wrap(stream));
        decoder.endOfInput();
        return collect(events, maxBodyBytes);
    }

    /** Folds a finished event sequence; a trailing incomplete response is left out. */
    public static List<IcapResponse> collect(List<IcapEvent> events, int maxBodyBytes) throws IcapProtocolException {
        IcapResponseCollector collector = new IcapResponseCollector(maxBodyBytes);
        List<IcapResponse> responses = new ArrayList<>();
        for (IcapEvent event : events) {
            collector.accept(event).ifPresent(responses::add);
        }
        return responses;
    }

    private void append(byte[] bytes) throws IcapProtocolException {
        if (bytes.length > maxBodyBytes - body.size()) {
            throw new IcapProtocolException(Kind.BODY_TOO_LARGE, "body exceeds " + maxBodyBytes + " bytes", -1);
        }
        body.writeBytes(bytes);
    }
}
