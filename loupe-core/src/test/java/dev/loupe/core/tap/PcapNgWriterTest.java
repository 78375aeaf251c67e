package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcapNgWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void sectionHeaderAndInterfaceDescriptionBytes() {
        String shb = "0a0d0d0a" + "1c000000" + "4d3c2b1a" + "0100" + "0000" + "ffffffffffffffff" + "1c000000";
        String idb = "01000000" + "20000000" + "0100" + "0000" + "00000400"
                + "0900" + "0100" + "06000000" // if_tsresol = 6: microseconds, padded to 32 bits
                + "00000000"                    // opt_endofopt
                + "20000000";
        assertThat(HEX.formatHex(PcapNgWriter.sectionHeader())).isEqualTo(shb + idb);
    }

    @Test
    void enhancedPacketBlockBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapNgWriter writer = new PcapNgWriter(out);
        writer.write(1_700_000_000_123_456L, new byte[] {1, 2, 3, 4, 5}, 0, 5);
        byte[] file = out.toByteArray();
        // 1700000000123456 = 0x00060A24_18202240
        assertThat(HEX.formatHex(file, 60, file.length)).isEqualTo("06000000" + "28000000" + "00000000"
                + "240a0600" + "40222018" + "05000000" + "05000000" + "0102030405" + "000000" + "28000000");
        assertThat(writer.bytesWritten()).isEqualTo(file.length).isEqualTo(60 + 40);
    }

    @ParameterizedTest
    @CsvSource({"0, 32", "1, 36", "2, 36", "3, 36", "4, 36", "5, 40", "54, 88"})
    void packetDataIsPaddedTo32Bits(int length, int blockLength) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapNgWriter writer = new PcapNgWriter(out);
        // A previous block with a different padding must not leave stale bytes in this one's padding.
        writer.write(1, new byte[] {-1, -1, -1, -1, -1, -1, -1}, 0, 7);
        writer.write(2, new byte[length], 0, length);
        byte[] file = out.toByteArray();
        assertThat(file.length).isEqualTo(60 + 40 + blockLength);
        assertThat(CaptureFiles.readPcapNg(file)).extracting(Frame::length).containsExactly(7, length);
    }

    @Test
    void roundTripsASynthesizedFlow() throws Exception {
        List<Frame> frames = PcapWriterTest.sampleFlow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapNgWriter writer = new PcapNgWriter(out)) {
            for (Frame frame : frames) {
                writer.write(frame.timestampMicros(), frame.bytes(), 0, frame.length());
            }
        }
        assertThat(CaptureFiles.readPcapNg(out.toByteArray())).isEqualTo(frames);
    }
}
