package dev.loupe.core.icap;

import dev.loupe.core.icap.IcapProtocolException.Kind;

/**
 * A parsed chunk-size line: {@code hex-size *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )}. ICAP gives two
 * extensions a meaning: {@code ieof} (the preview holds the whole body) and, in 206 responses,
 * {@code use-original-body=N}. Any other extension is skipped, as RFC 7230 requires of recipients.
 *
 * @param size            chunk data length; 0 for the last chunk
 * @param ieof            whether {@code ieof} was present
 * @param useOriginalBody the {@code use-original-body} offset, -1 when absent
 */
record ChunkLine(long size, boolean ieof, long useOriginalBody) {
    private static final String USE_ORIGINAL_BODY = "use-original-body";

    /**
     * @param line   the line without its LF (a trailing CR is ignored)
     * @param length number of valid bytes in {@code line}
     * @param at     stream offset of the line, for error reports
     */
    static ChunkLine parse(byte[] line, int length, long maxSize, long at) throws IcapProtocolException {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        int i = 0;
        long size = 0;
        while (i < end && hexValue(line[i]) >= 0) {
            size = size * 16 + hexValue(line[i]);
            if (size > maxSize) {
                throw new IcapProtocolException(Kind.CHUNK_TOO_LARGE, "chunk size exceeds " + maxSize, at);
            }
            i++;
        }
        if (i == 0) {
            throw new IcapProtocolException(Kind.BAD_CHUNK, "chunk-size line does not start with a hex size", at);
        }
        while (i < end && HeaderFields.isOws(line[i])) {
            i++; // squid tolerates SP after the size because real servers send it (its bug 4492)
        }
        if (i < end && line[i] != ';') {
            throw new IcapProtocolException(Kind.BAD_CHUNK, "unexpected character after chunk size", at + i);
        }
        String extensions = i < end ? HeaderFields.latin1(line, i + 1, end) : "";
        return extensions(size, extensions, at + i);
    }

    private static ChunkLine extensions(long size, String extensions, long at) throws IcapProtocolException {
        boolean ieof = false;
        long useOriginalBody = -1;
        for (String extension : extensions.split(";")) {
            int equals = extension.indexOf('=');
            String name = HeaderFields.trimOws(equals < 0 ? extension : extension.substring(0, equals));
            if (name.equalsIgnoreCase("ieof")) {
                ieof = true;
            } else if (name.equalsIgnoreCase(USE_ORIGINAL_BODY)) {
                useOriginalBody = offset(equals < 0 ? "" : HeaderFields.trimOws(extension.substring(equals + 1)), at);
            }
        }
        return new ChunkLine(size, ieof, useOriginalBody);
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static long offset(String digits, long at) throws IcapProtocolException {
        // 18 digits cannot overflow a long; no body is anywhere near that large
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IcapProtocolException(Kind.BAD_CHUNK, "invalid use-original-body value '" + digits + "'", at);
        }
        return Long.parseLong(digits);
    }
}
