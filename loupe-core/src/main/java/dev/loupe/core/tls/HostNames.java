package dev.loupe.core.tls;

/**
 * Decides whether SNI bytes are a plausible DNS host name. Policy matches on this string, so anything
 * a resolver or certificate could not mean (NUL, spaces, slashes, non-ASCII, empty labels) is refused
 * instead of being passed on for some later component to interpret differently.
 */
final class HostNames {
    static final int MAX_LENGTH = 255;
    private static final int MAX_LABEL_LENGTH = 63;

    private HostNames() {
    }

    /**
     * Lower-cases {@code name} in place and returns null if it is acceptable, otherwise a reason phrased
     * to follow the words "host name". Underscores are accepted because real hosts use them even though
     * RFC 952 does not; a trailing dot is not, as RFC 6066 3 says SNI carries none.
     */
    static String checkAndLowerCase(byte[] name) {
        if (name.length == 0 || name.length > MAX_LENGTH) {
            return "has length " + name.length + ", outside 1.." + MAX_LENGTH;
        }
        int labelLength = 0;
        for (int i = 0; i < name.length; i++) {
            int c = name[i] & 0xFF;
            if (c == '.') {
                if (labelLength == 0) {
                    return "has an empty label at index " + i;
                }
                labelLength = 0;
                continue;
            }
            if (!isHostNameChar(c)) {
                return String.format("contains byte 0x%02x at index %d", c, i);
            }
            if (++labelLength > MAX_LABEL_LENGTH) {
                return "has a label longer than " + MAX_LABEL_LENGTH + " bytes at index " + i;
            }
            if (c >= 'A' && c <= 'Z') {
                name[i] = (byte) (c + ('a' - 'A'));
            }
        }
        return labelLength == 0 ? "ends with an empty label" : null;
    }

    private static boolean isHostNameChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }
}
