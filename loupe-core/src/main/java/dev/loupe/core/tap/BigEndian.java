package dev.loupe.core.tap;

/** Network byte order stores into a frame buffer; kept as plain shifts so the hot path never allocates. */
final class BigEndian {

    private BigEndian() {
    }

    static void putShort(byte[] buffer, int offset, int value) {
        buffer[offset] = (byte) (value >>> 8);
        buffer[offset + 1] = (byte) value;
    }

    static void putInt(byte[] buffer, int offset, int value) {
        buffer[offset] = (byte) (value >>> 24);
        buffer[offset + 1] = (byte) (value >>> 16);
        buffer[offset + 2] = (byte) (value >>> 8);
        buffer[offset + 3] = (byte) value;
    }
}
