package dev.loupe.core.tap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Writes pcapng: one Section Header Block, one Ethernet Interface Description Block declaring
 * microsecond timestamps, then an Enhanced Packet Block per frame. Little-endian throughout, which the
 * section's byte-order magic declares to readers. Not thread-safe.
 */
public final class PcapNgWriter extends StreamCaptureWriter {
    static final int SECTION_HEADER_BLOCK = 0x0A0D_0D0A;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int ENHANCED_PACKET_BLOCK = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B_3C4D;
    static final int SECTION_HEADER_LENGTH = 28;
    static final int INTERFACE_DESCRIPTION_LENGTH = 32;
    /** Block type, total length, interface id, two timestamp words, captured and original length. */
    static final int PACKET_HEADER_LENGTH = 28;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int MICROSECONDS = 6;
    private static final long UNKNOWN_SECTION_LENGTH = -1L;

    private final ByteBuffer packetHeader = ByteBuffer.allocate(PACKET_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    /** Up to three padding zeros followed by the trailing block length. */
    private final ByteBuffer packetTrailer = ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN);

    /** Writes the section and interface headers immediately, so even an empty capture is a valid file. */
    public PcapNgWriter(OutputStream out) throws IOException {
        super(out, sectionHeader());
    }

    /** The SHB and IDB that must precede any packet; a streaming server sends them to each new reader. */
    public static byte[] sectionHeader() {
        ByteBuffer header = ByteBuffer.allocate(SECTION_HEADER_LENGTH + INTERFACE_DESCRIPTION_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(SECTION_HEADER_BLOCK).putInt(SECTION_HEADER_LENGTH)
                .putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0)
                .putLong(UNKNOWN_SECTION_LENGTH) // we stream, so the section length is never known up front
                .putInt(SECTION_HEADER_LENGTH);
        header.putInt(INTERFACE_DESCRIPTION_BLOCK).putInt(INTERFACE_DESCRIPTION_LENGTH)
                .putShort((short) PcapWriter.LINKTYPE_ETHERNET).putShort((short) 0)
                .putInt(PcapWriter.SNAPLEN)
                .putShort((short) OPTION_IF_TSRESOL).putShort((short) 1).put((byte) MICROSECONDS).put(new byte[3])
                .putInt(0) // opt_endofopt
                .putInt(INTERFACE_DESCRIPTION_LENGTH);
        return header.array();
    }

    @Override
    public void write(long timestampMicros, byte[] data, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (timestampMicros < 0) {
            throw new IllegalArgumentException("timestamp " + timestampMicros + "us precedes the epoch");
        }
        int captured = Math.min(length, PcapWriter.SNAPLEN);
        int padding = -captured & 3; // packet data is padded to a 32-bit boundary
        int blockLength = PACKET_HEADER_LENGTH + captured + padding + 4;
        packetHeader.clear()
                .putInt(ENHANCED_PACKET_BLOCK).putInt(blockLength)
                .putInt(0) // the only interface
                .putInt((int) (timestampMicros >>> 32)).putInt((int) timestampMicros)
                .putInt(captured).putInt(length);
        out.write(packetHeader.array(), 0, PACKET_HEADER_LENGTH);
        out.write(data, offset, captured);
        // Zero the padding first: a previous, differently padded block left its length bytes there.
        packetTrailer.putShort(0, (short) 0).put(2, (byte) 0).putInt(padding, blockLength);
        out.write(packetTrailer.array(), 0, padding + 4);
        bytesWritten += blockLength;
    }

}
