package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PcapWriterTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void globalHeaderBytes() {
        assertThat(HEX.formatHex(PcapWriter.globalHeader())).isEqualTo("d4c3b2a1" + "0200" + "0400"
                + "00000000" + "00000000" + "00000400" + "01000000");
    }

    @Test
    void recordHeaderBytesAndByteCount() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter writer = new PcapWriter(out);
        assertThat(writer.bytesWritten()).isEqualTo(24);
        writer.write(1_700_000_000_123_456L, new byte[] {9, 1, 2, 3, 9}, 1, 3);
        writer.flush();
        byte[] file = out.toByteArray();
        assertThat(HEX.formatHex(file, 24, file.length)).isEqualTo("00f15365" + "40e20100" + "03000000" + "03000000"
                + "010203");
        assertThat(writer.bytesWritten()).isEqualTo(file.length).isEqualTo(24 + 16 + 3);
    }

    @Test
    void framesLongerThanTheSnaplenAreTruncatedButKeepTheirLength() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter writer = new PcapWriter(out);
        writer.write(0, new byte[262_154], 0, 262_154);
        byte[] file = out.toByteArray();
        assertThat(HEX.formatHex(file, 32, 40)).isEqualTo("00000400" + "0a000400");
        assertThat(file).hasSize(24 + 16 + 262_144);
    }

    @Test
    void roundTripsASynthesizedFlow() throws Exception {
        List<Frame> frames = sampleFlow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out)) {
            for (Frame frame : frames) {
                writer.write(frame.timestampMicros(), frame.bytes(), 0, frame.length());
            }
        }
        assertThat(CaptureFiles.readPcap(out.toByteArray())).isEqualTo(frames);
    }

    @Test
    void rejectsTimestampsOutsideTheFormat() throws Exception {
        PcapWriter writer = new PcapWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> writer.write(-1, new byte[1], 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write((1L << 32) * 1_000_000, new byte[1], 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write(0, new byte[1], 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    static List<Frame> sampleFlow() throws Exception {
        List<Frame> frames = new ArrayList<>();
        FrameSink sink = FrameSink.collectingInto(frames);
        TcpFlowSynthesizer flow = new TcpFlowSynthesizer(FrameLayoutTest.ipv4(), MirrorAddressing.defaults(), 1, 2);
        flow.open(1_700_000_000_000_001L, sink);
        flow.clientData(1_700_000_000_000_002L, TcpFlowSynthesizerTest.bytes(3_001, 1), 0, 3_001, sink);
        flow.serverData(1_700_000_001_999_999L, TcpFlowSynthesizerTest.bytes(7, 2), 0, 7, sink);
        flow.close(1_700_000_002_000_000L, sink);
        return frames;
    }
}
