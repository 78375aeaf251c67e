package dev.loupe.core.tap;

/**
 * The RFC 1071 ones-complement checksum used by IPv4 and TCP, split into accumulate and finish so the
 * TCP pseudo-header, header and payload can be summed from different places without copying.
 */
final class InternetChecksum {

    private InternetChecksum() {
    }

    /**
     * Adds {@code bytes[offset, offset + length)} as big-endian 16-bit words. The accumulator is a long
     * because a 64 KiB segment of 0xFFFF words overflows an int before it can be folded.
     */
    static long add(long sum, byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        if (i < end) {
            // An odd trailing byte is summed as if padded with a zero byte (RFC 1071 section 4.1).
            sum += (bytes[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds the carries back in and complements, giving the value to store in the checksum field. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
