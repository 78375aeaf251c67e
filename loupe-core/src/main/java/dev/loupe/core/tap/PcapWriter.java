package dev.loupe.core.tap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Writes classic libpcap files: microsecond timestamps, Ethernet link type. Everything is little-endian
 * like the files tcpdump writes on x86; readers detect the order from the magic number. Not thread-safe.
 */
public final class PcapWriter extends StreamCaptureWriter {
    static final int MAGIC_MICROSECONDS = 0xA1B2_C3D4;
    static final int SNAPLEN = 262_144;
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final long MAX_SECONDS = 0xFFFF_FFFFL;

    private final ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    /** Writes the global header immediately, so even an empty capture is a valid file. */
    public PcapWriter(OutputStream out) throws IOException {
        super(out, globalHeader());
    }

    /** The 24-byte file header; a PCAP-over-IP server sends it first to every newly connected reader. */
    public static byte[] globalHeader() {
        return ByteBuffer.allocate(GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(MAGIC_MICROSECONDS)
                .putShort((short) 2)
                .putShort((short) 4)
                .putInt(0) // thiszone: timestamps are already UTC
                .putInt(0) // sigfigs: always 0 in practice
                .putInt(SNAPLEN)
                .putInt(LINKTYPE_ETHERNET)
                .array();
    }

    /** Frames longer than the snaplen are truncated, keeping their original length, as libpcap does. */
    @Override
    public void write(long timestampMicros, byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        int captured = recordHeader(recordHeader, timestampMicros, length);
        out.write(recordHeader.array(), 0, RECORD_HEADER_LENGTH);
        out.write(data, offset, captured);
        bytesWritten += RECORD_HEADER_LENGTH + captured;
    }

    /**
     * Encodes the 16-byte record header of a frame of {@code length} bytes into {@code into} (little
     * endian, from position 0) and returns how many bytes of the frame the record captures. Shared with
     * the PCAP-over-IP sink, which frames records itself.
     */
    public static int recordHeader(ByteBuffer into, long timestampMicros, int length) {
        long seconds = Math.floorDiv(timestampMicros, 1_000_000L);
        if (seconds < 0 || seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("timestamp " + timestampMicros + "us does not fit a pcap record");
        }
        int captured = Math.min(length, SNAPLEN);
        into.clear().order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) seconds)
                .putInt((int) Math.floorMod(timestampMicros, 1_000_000L))
                .putInt(captured)
                .putInt(length);
        return captured;
    }

}
