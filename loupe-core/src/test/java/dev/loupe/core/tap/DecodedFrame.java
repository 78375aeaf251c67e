package dev.loupe.core.tap;

import java.util.Arrays;

/**
 * A test-side decoder for synthesized frames, written independently of {@link FrameEncoder} so the
 * tests check the encoder against the wire format rather than against itself.
 */
record DecodedFrame(long timestampMicros, byte[] raw, int vlanTci, int etherType, int ipOffset, int tcpOffset,
        int payloadOffset) {

    static DecodedFrame parse(Frame frame) {
        return parse(frame.timestampMicros(), frame.bytes());
    }

    static DecodedFrame parse(long timestampMicros, byte[] raw) {
        int etherType = u16(raw, 12);
        int vlanTci = -1;
        int ipOffset = 14;
        if (etherType == 0x8100) {
            vlanTci = u16(raw, 14);
            etherType = u16(raw, 16);
            ipOffset = 18;
        }
        int tcpOffset = ipOffset + (etherType == 0x86DD ? 40 : (raw[ipOffset] & 0x0F) * 4);
        int payloadOffset = tcpOffset + ((raw[tcpOffset + 12] & 0xFF) >>> 4) * 4;
        return new DecodedFrame(timestampMicros, raw, vlanTci, etherType, ipOffset, tcpOffset, payloadOffset);
    }

    boolean ipv6() {
        return etherType == 0x86DD;
    }

    byte[] dstMac() {
        return Arrays.copyOfRange(raw, 0, 6);
    }

    byte[] srcMac() {
        return Arrays.copyOfRange(raw, 6, 12);
    }

    byte[] srcIp() {
        return ipv6() ? Arrays.copyOfRange(raw, ipOffset + 8, ipOffset + 24)
                : Arrays.copyOfRange(raw, ipOffset + 12, ipOffset + 16);
    }

    byte[] dstIp() {
        return ipv6() ? Arrays.copyOfRange(raw, ipOffset + 24, ipOffset + 40)
                : Arrays.copyOfRange(raw, ipOffset + 16, ipOffset + 20);
    }

    int srcPort() {
        return u16(raw, tcpOffset);
    }

    int dstPort() {
        return u16(raw, tcpOffset + 2);
    }

    long seq() {
        return u32(raw, tcpOffset + 4);
    }

    long ack() {
        return u32(raw, tcpOffset + 8);
    }

    int flags() {
        return raw[tcpOffset + 13] & 0xFF;
    }

    int window() {
        return u16(raw, tcpOffset + 14);
    }

    int payloadLength() {
        return raw.length - payloadOffset;
    }

    byte[] payload() {
        return Arrays.copyOfRange(raw, payloadOffset, raw.length);
    }

    /** RFC 1071: the ones-complement sum over a header including its checksum field is 0xFFFF. */
    boolean ipv4ChecksumValid() {
        return fold(sum(raw, ipOffset, 20)) == 0xFFFF;
    }

    /** TCP checksum check over the IPv4 (RFC 9293) or IPv6 (RFC 8200 section 8.1) pseudo-header. */
    boolean tcpChecksumValid() {
        int tcpLength = raw.length - tcpOffset;
        byte[] src = srcIp();
        byte[] dst = dstIp();
        long pseudo = sum(src, 0, src.length) + sum(dst, 0, dst.length) + 6 + tcpLength;
        return fold(pseudo + sum(raw, tcpOffset, tcpLength)) == 0xFFFF;
    }

    static long sum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = bytes[offset + i] & 0xFF;
            int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        return sum;
    }

    static int fold(long sum) {
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) sum;
    }

    static int u16(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }

    static long u32(byte[] bytes, int offset) {
        return ((long) u16(bytes, offset) << 16) | u16(bytes, offset + 2);
    }
}
