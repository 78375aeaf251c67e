package dev.loupe.core.icap;

import dev.loupe.core.icap.Encapsulated.Entry;
import dev.loupe.core.icap.Encapsulated.Section;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes ICAP requests. The head (with the preview, if any) is one array; the rest of a body is encoded
 * chunk by chunk, so a transport can stream an arbitrarily large body, and even write the data itself
 * without copying by using {@link #chunkHeader(int)} and {@link #chunkEnd()} around it.
 *
 * <p>Header order: request line, Host, the caller's extra headers, Allow, Preview, Encapsulated. With a
 * {@code User-Agent} extra header this is exactly what c-icap-client sends. Stateless and thread-safe.
 */
public final class IcapRequestEncoder {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK_IEOF = "0; ieof\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The ICAP head, the encapsulated HTTP heads and, when previewing, the preview chunk plus its terminator
     * ({@code 0; ieof} if the preview is the whole body, else {@code 0}). Without preview and with a body,
     * the transport continues with {@link #chunk} calls and {@link #lastChunk()}.
     */
    public byte[] head(IcapRequest request) {
        byte[] requestHead = request.httpRequestHead();
        byte[] responseHead = request.httpResponseHead();
        StringBuilder icap = new StringBuilder(256);
        icap.append(request.method().name()).append(' ').append(request.serviceUri().toASCIIString())
                .append(" ICAP/1.0\r\n");
        line(icap, "Host", host(request.serviceUri()));
        request.headers().fields().forEach(field -> line(icap, field.name(), field.value()));
        String allow = allow(request);
        if (!allow.isEmpty()) {
            line(icap, "Allow", allow);
        }
        if (request.hasPreview()) {
            line(icap, "Preview", Integer.toString(request.previewLength()));
        }
        line(icap, "Encapsulated", encapsulated(request).format());
        icap.append("\r\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream(icap.length() + 64);
        out.writeBytes(icap.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(requestHead == null ? new byte[0] : requestHead);
        out.writeBytes(responseHead == null ? new byte[0] : responseHead);
        if (request.hasPreview()) {
            byte[] preview = request.previewBytes();
            out.writeBytes(chunk(preview, 0, preview.length));
            out.writeBytes(request.previewIsWholeBody() ? LAST_CHUNK_IEOF : LAST_CHUNK);
        }
        return out.toByteArray();
    }

    /** The Encapsulated header the head of {@code request} carries. */
    public Encapsulated encapsulated(IcapRequest request) {
        List<Entry> entries = new ArrayList<>();
        int offset = 0;
        byte[] requestHead = request.httpRequestHead();
        if (requestHead != null) {
            entries.add(new Entry(Section.REQ_HDR, 0));
            offset = requestHead.length;
        }
        byte[] responseHead = request.httpResponseHead();
        if (responseHead != null) {
            entries.add(new Entry(Section.RES_HDR, offset));
            offset += responseHead.length;
        }
        Section body = !request.hasBody() ? Section.NULL_BODY
                : request.method() == IcapMethod.REQMOD ? Section.REQ_BODY : Section.RES_BODY;
        entries.add(new Entry(body, offset));
        return new Encapsulated(entries);
    }

    /** One chunk carrying {@code data[off, off+len)}; empty for {@code len == 0}, which would end the body. */
    public byte[] chunk(byte[] data, int off, int len) {
        if (len == 0) {
            return new byte[0];
        }
        byte[] header = chunkHeader(len);
        byte[] chunk = new byte[header.length + len + CRLF.length];
        System.arraycopy(header, 0, chunk, 0, header.length);
        System.arraycopy(data, off, chunk, header.length, len);
        System.arraycopy(CRLF, 0, chunk, header.length + len, CRLF.length);
        return chunk;
    }

    /** {@code hex-size CRLF}: write this, then {@code size} data bytes, then {@link #chunkEnd()}. */
    public byte[] chunkHeader(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("a data chunk needs at least one byte, got " + size);
        }
        return (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The CRLF that closes a chunk's data. */
    public byte[] chunkEnd() {
        return CRLF.clone();
    }

    /** {@code 0 CRLF CRLF}: the body is complete (sent after the rest of a body, never after an ieof preview). */
    public byte[] lastChunk() {
        return LAST_CHUNK.clone();
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value).append("\r\n");
    }

    private static String host(URI uri) {
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    private static String allow(IcapRequest request) {
        if (request.allow204() && request.allow206()) {
            return "204, 206";
        }
        return request.allow204() ? "204" : request.allow206() ? "206" : "";
    }
}
