package dev.loupe.core.tls;

import java.nio.ByteBuffer;

/**
 * Sequential reader over one handshake message whose bytes may be split across several consecutive
 * TLS records. Reading through the records in place avoids copying the fragments into a new array.
 *
 * <p>The reader does no bounds checking of its own: {@link ClientHelloParser} only creates it once every
 * record holding the message is known to be complete and non-empty, and callers never read past the
 * message length.
 */
final class HandshakeReader {
    static final int RECORD_HEADER_LENGTH = 5;

    private final ByteBuffer buffer;
    private int index;
    private int leftInRecord;
    private int offset;

    /** @param firstRecord absolute index of the header of the record holding the message's first byte */
    HandshakeReader(ByteBuffer buffer, int firstRecord) {
        this.buffer = buffer;
        this.index = firstRecord;
        this.leftInRecord = 0;
    }

    /** Offset within the handshake message, counting its 4-byte header. */
    int offset() {
        return offset;
    }

    int u8() {
        if (leftInRecord == 0) {
            enterNextRecord();
        }
        leftInRecord--;
        offset++;
        return buffer.get(index++) & 0xFF;
    }

    int u16() {
        int high = u8();
        return high << 8 | u8();
    }

    int u24() {
        int high = u8();
        return high << 16 | u16();
    }

    void skip(int count) {
        int remaining = count;
        while (remaining > 0) {
            if (leftInRecord == 0) {
                enterNextRecord();
            }
            int step = Math.min(remaining, leftInRecord);
            index += step;
            leftInRecord -= step;
            offset += step;
            remaining -= step;
        }
    }

    private void enterNextRecord() {
        leftInRecord = (buffer.get(index + 3) & 0xFF) << 8 | buffer.get(index + 4) & 0xFF;
        index += RECORD_HEADER_LENGTH;
    }
}
