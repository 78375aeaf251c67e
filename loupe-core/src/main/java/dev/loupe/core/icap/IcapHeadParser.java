package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.util.List;

/** Turns a complete ICAP response head (status line, headers, empty line) into an {@link IcapResponseHead}. */
final class IcapHeadParser {
    private static final String VERSION_PREFIX = "ICAP/1.";

    private IcapHeadParser() {
    }

    /**
     * @param bytes the head in {@code [0, size)}, ending with its empty line
     * @param base  stream offset of {@code bytes[0]}
     * @return the head without encapsulated HTTP heads (they follow in the stream)
     */
    static IcapResponseHead parse(byte[] bytes, int size, long base, IcapLimits limits) throws IcapProtocolException {
        int lf = HeaderFields.indexOf(bytes, '\n', 0, size);
        String line = HeaderFields.latin1(bytes, 0, HeaderFields.contentEnd(bytes, 0, lf));
        int status = status(line, base);
        // status() guarantees "ICAP/1.x NNN" then nothing or SP: the reason is what follows the code
        String reason = HeaderFields.trimOws(line.substring(Math.min(line.length(), line.indexOf(' ') + 4)));
        IcapHeaders headers = HeaderFields.parse(bytes, lf + 1, size, base, Kind.BAD_HEADER);
        Encapsulated encapsulated = encapsulated(status, headers, base);
        if (encapsulated.headLength() > limits.maxEncapsulatedHeadBytes()) {
            throw new IcapProtocolException(Kind.HEAD_TOO_LARGE, "encapsulated HTTP heads of "
                    + encapsulated.headLength() + " bytes exceed " + limits.maxEncapsulatedHeadBytes(), base);
        }
        return new IcapResponseHead(status, reason, headers, encapsulated, null, null);
    }

    /** Validates {@code ICAP/1.x SP 3DIGIT [SP reason]} and returns the code. */
    private static int status(String line, long at) throws IcapProtocolException {
        int space = line.indexOf(' ');
        boolean versionOk = line.startsWith(VERSION_PREFIX) && space > VERSION_PREFIX.length()
                && line.substring(VERSION_PREFIX.length(), space).chars().allMatch(c -> c >= '0' && c <= '9');
        if (!versionOk) {
            throw new IcapProtocolException(Kind.BAD_STATUS_LINE, "not an ICAP/1.x status line: '"
                    + HeaderFields.abbreviate(line) + "'", at);
        }
        String rest = line.substring(space + 1);
        boolean codeOk = rest.length() >= 3 && rest.substring(0, 3).chars().allMatch(c -> c >= '0' && c <= '9')
                && (rest.length() == 3 || rest.charAt(3) == ' ');
        int code = codeOk ? Integer.parseInt(rest.substring(0, 3)) : 0;
        if (code < 100 || code > 599) {
            throw new IcapProtocolException(Kind.BAD_STATUS_LINE, "invalid status code in '"
                    + HeaderFields.abbreviate(line) + "'", at + space + 1);
        }
        return code;
    }

    /**
     * 100 and 204 never carry a message, whatever their headers say (servers add {@code null-body=0} or nothing);
     * any other response without an Encapsulated header has nothing encapsulated (squid's OPTIONS are sent so).
     */
    private static Encapsulated encapsulated(int status, IcapHeaders headers, long at) throws IcapProtocolException {
        List<String> values = headers.all("Encapsulated");
        if (status == 100 || status == 204 || values.isEmpty()) {
            return Encapsulated.NONE;
        }
        if (values.size() > 1) {
            throw new IcapProtocolException(Kind.BAD_ENCAPSULATED, "more than one Encapsulated header", at);
        }
        return Encapsulated.parse(values.getFirst(), at);
    }
}
