package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sequencing, segmentation, acknowledgement and teardown of synthesized TCP conversations. */
class TcpFlowSynthesizerTest {
    private static final int SYN = 0x02;
    private static final int FIN = 0x01;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    private static final int CLIENT_PORT = 49_152;

    private final List<Frame> frames = new ArrayList<>();
    private final FrameSink sink = FrameSink.collectingInto(frames);

    @Test
    void flagsAndDirectionsOfACompleteConversation() throws Exception {
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), 1000, 2000);
        flow.open(10, sink);
        flow.clientData(20, bytes(100, 1), 0, 100, sink);
        flow.serverData(30, bytes(200, 2), 0, 200, sink);
        flow.close(40, sink);
        assertThat(frames.stream().map(f -> DecodedFrame.parse(f).flags()).toList()).containsExactly(
                SYN, SYN | ACK, ACK, PSH | ACK, ACK, PSH | ACK, ACK, FIN | ACK, ACK, FIN | ACK, ACK);
        assertThat(frames.stream().map(f -> DecodedFrame.parse(f).srcPort() == CLIENT_PORT).toList()).containsExactly(
                true, false, true, true, false, false, true, true, false, false, true);
        assertThat(frames.stream().map(Frame::timestampMicros).toList())
                .containsExactly(10L, 10L, 10L, 20L, 20L, 30L, 30L, 40L, 40L, 40L, 40L);
        ConversationCheck check = ConversationCheck.of(frames, CLIENT_PORT);
        assertThat(check.clientNext()).isEqualTo(1000 + 1 + 100 + 1);
        assertThat(check.serverNext()).isEqualTo(2000 + 1 + 200 + 1);
        assertThat(flow.isOpen()).isFalse();
    }

    @Test
    void oneMebibyteEachWayWithMss1000() throws Exception {
        int total = 1 << 20;
        byte[] upload = bytes(total, 3);
        byte[] download = bytes(total, 4);
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults().withMss(1000), 5_000, 9_000);
        flow.open(1, sink);
        flow.clientData(2, upload, 0, total, sink);
        flow.serverData(3, download, 0, total, sink);
        flow.close(4, sink);

        int segments = 1049; // ceil(1048576 / 1000)
        int acksPerBurst = 17; // one before every 65th segment would fill the window, plus one at the end
        assertThat(frames).hasSize(3 + 2 * (segments + acksPerBurst) + 4);
        List<DecodedFrame> data = frames.stream().map(DecodedFrame::parse).filter(f -> f.payloadLength() > 0).toList();
        assertThat(data).hasSize(2 * segments);
        assertThat(data).allMatch(f -> f.payloadLength() <= 1000);
        assertThat(data.get(segments - 1).payloadLength()).isEqualTo(576);
        assertThat(data.stream().filter(f -> (f.flags() & PSH) != 0).count()).as("PSH only on each burst's end").isEqualTo(2);
        ConversationCheck check = ConversationCheck.of(frames, CLIENT_PORT);
        assertThat(check.clientBytes.toByteArray()).isEqualTo(upload);
        assertThat(check.serverBytes.toByteArray()).isEqualTo(download);
        assertThat(flow.clientNextSeq()).isEqualTo(5_000 + 1 + total + 1);
        assertThat(flow.serverNextSeq()).isEqualTo(9_000 + 1 + total + 1);
    }

    @Test
    void interleavedExchangesKeepBothDirectionsConsistent() throws Exception {
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), 0, 0xFFFF_FFFFL);
        byte[] request1 = bytes(37, 5);
        byte[] response1 = bytes(4_001, 6);
        byte[] request2 = bytes(1_461, 7);
        byte[] response2 = bytes(3, 8);
        flow.open(1, sink);
        flow.clientData(2, request1, 0, request1.length, sink);
        flow.serverData(3, response1, 0, response1.length, sink);
        flow.clientData(4, request2, 0, request2.length, sink);
        flow.serverData(5, response2, 1, 2, sink);
        flow.close(6, false, sink);
        ConversationCheck check = ConversationCheck.of(frames, CLIENT_PORT);
        assertThat(check.clientBytes.toByteArray()).isEqualTo(concat(request1, request2));
        assertThat(check.serverBytes.toByteArray()).isEqualTo(concat(response1, Arrays.copyOfRange(response2, 1, 3)));
        assertThat(DecodedFrame.parse(frames.get(frames.size() - 4)).srcPort()).as("server closed first").isEqualTo(443);
        assertThat(flow.serverNextSeq()).isEqualTo((0xFFFF_FFFFL + 1 + 4_001 + 2 + 1) % (1L << 32));
    }

    @Test
    void sequenceNumbersWrapModulo2To32() throws Exception {
        long clientIsn = 0xFFFF_FFF0L;
        long serverIsn = 0xFFFF_FF00L;
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), clientIsn, serverIsn);
        byte[] payload = bytes(10_000, 9);
        flow.open(1, sink);
        flow.clientData(2, payload, 0, payload.length, sink);
        flow.serverData(3, payload, 0, payload.length, sink);
        ConversationCheck check = ConversationCheck.of(frames, CLIENT_PORT);
        assertThat(check.clientBytes.toByteArray()).isEqualTo(payload);
        assertThat(flow.clientNextSeq()).isEqualTo((clientIsn + 1 + 10_000) - (1L << 32));
        assertThat(flow.serverNextSeq()).isEqualTo((serverIsn + 1 + 10_000) - (1L << 32));
        List<Long> clientSeqs = frames.stream().map(DecodedFrame::parse)
                .filter(f -> f.srcPort() == CLIENT_PORT && f.payloadLength() > 0).map(DecodedFrame::seq).toList();
        assertThat(clientSeqs.get(0)).isEqualTo(0xFFFF_FFF1L);
        assertThat(clientSeqs.get(1)).as("wrapped past zero").isEqualTo(0xFFFF_FFF1L + 1460 - (1L << 32));
    }

    @Test
    void resetCarriesCurrentSequenceAndEndsTheFlow() throws Exception {
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), 100, 200);
        flow.open(1, sink);
        flow.clientData(2, bytes(10, 1), 0, 10, sink);
        flow.reset(3, false, sink);
        DecodedFrame rst = DecodedFrame.parse(frames.get(frames.size() - 1));
        assertThat(rst.flags()).isEqualTo(RST | ACK);
        assertThat(rst.srcPort()).isEqualTo(443);
        assertThat(rst.seq()).isEqualTo(201);
        assertThat(rst.ack()).isEqualTo(111);
        ConversationCheck.of(frames, CLIENT_PORT);
        assertThat(flow.isOpen()).isFalse();
        assertThatThrownBy(() -> flow.clientData(4, new byte[1], 0, 1, sink)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void timestampsNeverGoBackwards() throws Exception {
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), 1, 2);
        flow.open(500, sink);
        flow.clientData(400, bytes(5, 1), 0, 5, sink);
        flow.serverData(600, bytes(5, 1), 0, 5, sink);
        assertThat(frames.stream().map(Frame::timestampMicros).toList()).containsExactly(500L, 500L, 500L, 500L, 500L, 600L, 600L);
    }

    @Test
    void misuseIsRejected() throws Exception {
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), 1, 2);
        assertThatThrownBy(() -> flow.clientData(1, new byte[1], 0, 1, sink)).hasMessageContaining("NEW");
        assertThatThrownBy(() -> flow.close(1, sink)).isInstanceOf(IllegalStateException.class);
        flow.open(1, sink);
        assertThatThrownBy(() -> flow.open(1, sink)).hasMessageContaining("OPEN");
        assertThatThrownBy(() -> flow.serverData(1, new byte[4], 2, 3, sink)).isInstanceOf(IndexOutOfBoundsException.class);
        flow.clientData(1, new byte[0], 0, 0, sink);
        assertThat(frames).as("an empty write emits nothing").hasSize(3);
        flow.close(1, sink);
        assertThatThrownBy(() -> flow.close(1, sink)).hasMessageContaining("CLOSED");
        assertThatThrownBy(() -> flow(MirrorAddressing.defaults(), 1L << 32, 0)).hasMessageContaining("clientIsn");
        assertThatThrownBy(() -> flow(MirrorAddressing.defaults(), 0, -1)).hasMessageContaining("serverIsn");
    }

    @Test
    void dataPathDoesNotAllocatePerSegment() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TcpFlowSynthesizer flow = flow(MirrorAddressing.defaults(), 1, 2);
        byte[] payload = bytes(64 * 1024, 1);
        long[] frameCount = new long[1];
        FrameSink counting = (ts, data, offset, length) -> frameCount[0] += length > 0 ? 1 : 0;
        flow.open(1, counting);
        for (int warmup = 0; warmup < 200; warmup++) {
            flow.clientData(2, payload, 0, payload.length, counting);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100; i++) {
            flow.serverData(3, payload, 0, payload.length, counting);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(frameCount[0]).isGreaterThan(100 * 45);
        assertThat(allocated).as("bytes allocated while emitting ~4600 frames").isLessThan(4_096);
    }

    private static TcpFlowSynthesizer flow(MirrorAddressing addressing, long clientIsn, long serverIsn) throws Exception {
        return new TcpFlowSynthesizer(FrameLayoutTest.ipv4(), addressing, clientIsn, serverIsn);
    }

    static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
