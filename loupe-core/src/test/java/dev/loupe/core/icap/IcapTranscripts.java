package dev.loupe.core.icap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The captured c-icap exchanges under {@code icap/} (see README.md there): exact bytes per direction plus
 * the readable {@code .txt}, which serves as a second, independent rendering of the same bytes.
 */
final class IcapTranscripts {
    static final List<String> CICAP_CLIENT = List.of("icap-cicapclient-0", "icap-cicapclient-1", "icap-cicapclient-2",
            "icap-cicapclient-3", "icap-cicapclient-4", "icap-cicapclient-5", "icap-cicapclient-6",
            "icap-cicapclient-7");
    static final List<String> SQUID = List.of("icap-squid-3", "icap-squid-4", "icap-squid-5");
    static final List<String> ALL = concat(CICAP_CLIENT, SQUID);

    /** A server body chunk in the .txt: its size line, data, CRLF, then the server's last chunk. */
    private static final Pattern TXT_BODY = Pattern.compile(
            "<<< server\n([0-9a-f]+)\\\\r\\\\n\n(.*?)\\\\r\\\\n\n\n<<< server\n0\\\\r\\\\n", Pattern.DOTALL);

    private IcapTranscripts() {
    }

    static byte[] serverBytes(String name) {
        return resource(name + ".s2c.bin");
    }

    static byte[] clientBytes(String name) {
        return resource(name + ".c2s.bin");
    }

    static String text(String name) {
        return new String(resource(name + ".txt"), StandardCharsets.ISO_8859_1);
    }

    /** Re-creates the server's bytes from the {@code <<< server} segments of the .txt rendering. */
    static byte[] serverBytesFromText(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String segment : text(name).split("\n\n(?=<<< |>>> )")) {
            if (segment.startsWith("<<< server\n")) {
                // the split ate the newline after the segment's last line; the file's end may add one
                String body = segment.substring("<<< server\n".length()).replaceAll("\n+$", "") + "\n";
                out.writeBytes(unescape(body));
            }
        }
        return out.toByteArray();
    }

    /** The body of every server response that had one, as the .txt shows it (c-icap sends each in one chunk). */
    static List<byte[]> serverBodiesFromText(String name) {
        List<byte[]> bodies = new ArrayList<>();
        Matcher matcher = TXT_BODY.matcher(text(name));
        while (matcher.find()) {
            byte[] body = unescape(matcher.group(2));
            assertThat(body).as("chunk size in the .txt").hasSize(Integer.parseInt(matcher.group(1), 16));
            bodies.add(body);
        }
        return bodies;
    }

    /**
     * Undoes the .txt rendering: a CRLF is shown as a literal {@code \r\n} plus a newline, a bare LF as a
     * newline, other control bytes as {@code \xNN}.
     */
    static byte[] unescape(String rendered) {
        String text = rendered.replace("\\r\\n\n", "\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 3 < text.length() && text.charAt(i + 1) == 'x' && isHex(text.charAt(i + 2))
                    && isHex(text.charAt(i + 3))) {
                out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    private static byte[] resource(String name) {
        try (InputStream in = IcapTranscripts.class.getResourceAsStream("/icap/" + name)) {
            assertThat(in).as("resource icap/" + name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
