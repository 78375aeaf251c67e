package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An HTTP request or response head carried inside an ICAP message (the {@code req-hdr}/{@code res-hdr}
 * sections). The raw bytes are kept because they are what must be forwarded; the parsed view is for
 * decisions and logging. {@code raw} is ISO-8859-1, which maps each byte to one char and back losslessly
 * and gives the record value equality.
 *
 * @param startLine request line or status line, without its line end
 * @param headers   the header fields, folding joined
 * @param raw       the whole head including the empty line that ends it
 */
public record HttpHead(String startLine, IcapHeaders headers, String raw) {

    public HttpHead {
        Objects.requireNonNull(startLine, "startLine");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(raw, "raw");
    }

    /** The head exactly as received. */
    public byte[] bytes() {
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The status code of a response head ({@code HTTP/1.1 403 Forbidden} gives 403), -1 for a request head. */
    public int statusCode() {
        if (!startLine.startsWith("HTTP/")) {
            return -1;
        }
        int space = startLine.indexOf(' ');
        if (space < 0 || startLine.length() < space + 4) {
            return -1;
        }
        String code = startLine.substring(space + 1, space + 4);
        boolean digits = code.chars().allMatch(c -> c >= '0' && c <= '9');
        boolean separated = startLine.length() == space + 4 || startLine.charAt(space + 4) == ' ';
        return digits && separated ? Integer.parseInt(code) : -1;
    }

    /**
     * Parses the head in {@code bytes[from, to)}; the section must end exactly with its empty line, since a
     * mismatch means the Encapsulated offsets are wrong and the rest of the stream cannot be trusted.
     */
    static HttpHead parse(byte[] bytes, int from, int to, long base) throws IcapProtocolException {
        int lf = HeaderFields.indexOf(bytes, '\n', from, to);
        if (lf < 0) {
            throw new IcapProtocolException(Kind.BAD_HTTP_HEAD, "encapsulated head has no complete line", base + from);
        }
        int end = HeaderFields.contentEnd(bytes, from, lf);
        if (end == from || HeaderFields.isOws(bytes[from])) {
            throw new IcapProtocolException(Kind.BAD_HTTP_HEAD, "encapsulated head lacks a start line", base + from);
        }
        IcapHeaders headers = HeaderFields.parse(bytes, lf + 1, to, base, Kind.BAD_HTTP_HEAD);
        return new HttpHead(HeaderFields.latin1(bytes, from, end), headers, HeaderFields.latin1(bytes, from, to));
    }
}
