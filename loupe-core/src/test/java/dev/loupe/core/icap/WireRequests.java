package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately separate, whole-buffer reader of ICAP requests (the client side of the captures and the
 * encoder's output), so that encoder tests do not check the codec against itself. It trusts its input and
 * fails with plain exceptions.
 */
final class WireRequests {

    /**
     * One request as found on the wire.
     *
     * @param encapsulated      Encapsulated entries in order; {@code null-body=0} when the header is absent
     * @param firstChunks       body chunks up to the first last-chunk (the preview, or the whole body)
     * @param terminator        chunk extension of that last-chunk ("" or "ieof"), null without body
     * @param continuation      chunks sent after 100 Continue
     */
    record WireRequest(int start, int end, String method, String uri, List<String[]> headers,
            Map<String, Integer> encapsulated, byte[] httpRequestHead, byte[] httpResponseHead,
            List<byte[]> firstChunks, String terminator, List<byte[]> continuation) {

        String header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        List<String> allowTokens() {
            String allow = header("Allow");
            return allow == null ? List.of() : Arrays.stream(allow.split(",")).map(String::strip).toList();
        }

        boolean hasBody() {
            return terminator != null;
        }

        boolean ieof() {
            return "ieof".equals(terminator);
        }

        byte[] firstBytes() {
            return concat(firstChunks);
        }

        byte[] wholeBody() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(firstBytes());
            out.writeBytes(concat(continuation));
            return out.toByteArray();
        }
    }

    private WireRequests() {
    }

    static List<WireRequest> parse(byte[] stream) {
        List<WireRequest> requests = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            WireRequest request = parseOne(stream, at);
            requests.add(request);
            at = request.end();
        }
        return requests;
    }

    private static WireRequest parseOne(byte[] s, int start) {
        int headEnd = indexOf(s, "\r\n\r\n", start) + 4;
        String[] lines = ascii(Arrays.copyOfRange(s, start, headEnd - 4)).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()});
        }
        String encapsulatedValue = headers.stream().filter(h -> h[0].equalsIgnoreCase("Encapsulated"))
                .map(h -> h[1]).findFirst().orElse("null-body=0");
        Map<String, Integer> encapsulated = new LinkedHashMap<>();
        for (String entry : encapsulatedValue.split(",")) {
            String[] pair = entry.strip().split("=");
            encapsulated.put(pair[0], Integer.parseInt(pair[1]));
        }
        List<Integer> offsets = new ArrayList<>(encapsulated.values());
        byte[] requestHead = section(s, headEnd, encapsulated, offsets, "req-hdr");
        byte[] responseHead = section(s, headEnd, encapsulated, offsets, "res-hdr");
        int at = headEnd + offsets.getLast();
        List<byte[]> first = new ArrayList<>();
        List<byte[]> continuation = new ArrayList<>();
        String terminator = null;
        if (!encapsulated.containsKey("null-body")) {
            int[] position = {at};
            terminator = chunks(s, position, first);
            boolean previewContinues = !terminator.equals("ieof") && headers.stream()
                    .anyMatch(h -> h[0].equalsIgnoreCase("Preview"));
            if (previewContinues && position[0] < s.length && Character.digit(s[position[0]], 16) >= 0) {
                chunks(s, position, continuation); // the rest, sent after the server's 100 Continue
            }
            at = position[0];
        }
        return new WireRequest(start, at, requestLine[0], requestLine[1], headers, encapsulated, requestHead,
                responseHead, first, terminator, continuation);
    }

    private static byte[] section(byte[] s, int base, Map<String, Integer> encapsulated, List<Integer> offsets,
            String name) {
        Integer from = encapsulated.get(name);
        if (from == null) {
            return null;
        }
        int to = offsets.get(offsets.indexOf(from) + 1);
        return Arrays.copyOfRange(s, base + from, base + to);
    }

    /** Reads chunks until a last-chunk (which must have no trailers); returns its extension. */
    private static String chunks(byte[] s, int[] position, List<byte[]> into) {
        while (true) {
            int lineEnd = indexOf(s, "\r\n", position[0]);
            String line = ascii(Arrays.copyOfRange(s, position[0], lineEnd));
            int semicolon = line.indexOf(';');
            int size = Integer.parseInt(semicolon < 0 ? line : line.substring(0, semicolon).strip(), 16);
            position[0] = lineEnd + 2;
            if (size == 0) {
                position[0] += 2; // the empty line ending the (empty) trailer
                return semicolon < 0 ? "" : line.substring(semicolon + 1).strip();
            }
            into.add(Arrays.copyOfRange(s, position[0], position[0] + size));
            position[0] += size + 2;
        }
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static int indexOf(byte[] s, String wanted, int from) {
        byte[] w = ascii(wanted);
        for (int i = from; i <= s.length - w.length; i++) {
            if (Arrays.equals(s, i, i + w.length, w, 0, w.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("'" + wanted.replace("\r\n", "CRLF") + "' not found after " + from);
    }
}
