package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte-by-byte checks of the Ethernet, 802.1Q, IPv4, IPv6 and TCP headers the synthesizer writes. */
class FrameLayoutTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] CLIENT_MAC = HEX.parseHex("020000000001");
    private static final byte[] SERVER_MAC = HEX.parseHex("020000000002");

    @Test
    void ipv4SynMatchesTheWireFormatIncludingHandComputedChecksums() throws Exception {
        List<Frame> frames = openFlow(ipv4(), MirrorAddressing.defaults());
        String expected = "020000000002" + "020000000001" + "0800"   // Ethernet: dst, src, IPv4
                + "4500" + "002c" + "0000" + "4000" + "40" + "06" + "4e7a" // IHL 5, len 44, id 0, DF, TTL, TCP, csum
                + "c000020a" + "c6336414"                            // 192.0.2.10 -> 198.51.100.20
                + "c000" + "01bb" + "000003e8" + "00000000"          // 49152 -> 443, seq 1000, ack 0
                + "6002" + "ffff" + "e630" + "0000"                  // 6 words, SYN, window, csum, urgent
                + "020405b4";                                        // MSS option 1460
        assertThat(HEX.formatHex(frames.get(0).bytes())).isEqualTo(expected);
    }

    @Test
    void ipv4HeadersPerDirection() throws Exception {
        List<Frame> frames = openFlow(ipv4(), MirrorAddressing.defaults());
        DecodedFrame synAck = DecodedFrame.parse(frames.get(1));
        byte[] raw = synAck.raw();
        assertThat(synAck.dstMac()).isEqualTo(CLIENT_MAC);
        assertThat(synAck.srcMac()).isEqualTo(SERVER_MAC);
        assertThat(DecodedFrame.u16(raw, 12)).isEqualTo(0x0800);
        assertThat(HEX.formatHex(raw, 14, 24)).as("server's first IP id is 0").isEqualTo("4500002c000040004006");
        assertThat(synAck.srcIp()).isEqualTo(new byte[] {(byte) 198, 51, 100, 20});
        assertThat(synAck.ipv4ChecksumValid()).isTrue();
        assertThat(synAck.tcpChecksumValid()).isTrue();
        assertThat(synAck.seq()).isEqualTo(2000);
        assertThat(synAck.ack()).isEqualTo(1001);
        assertThat(synAck.flags()).isEqualTo(0x12);

        DecodedFrame ack = DecodedFrame.parse(frames.get(2));
        assertThat(ack.raw()).hasSize(14 + 20 + 20);
        assertThat(DecodedFrame.u16(ack.raw(), 18)).as("client IP id increments per direction").isEqualTo(1);
        assertThat(ack.raw()[ack.tcpOffset() + 12]).as("data offset 5 words").isEqualTo((byte) 0x50);
    }

    @Test
    void dataSegmentLengthsAndChecksumsForOddPayload() throws Exception {
        TcpFlowSynthesizer flow = new TcpFlowSynthesizer(ipv4(), MirrorAddressing.defaults(), 1000, 2000);
        List<Frame> frames = new ArrayList<>();
        FrameSink sink = FrameSink.collectingInto(frames);
        flow.open(1, sink);
        frames.clear();
        flow.clientData(2, "hello".getBytes(), 0, 5, sink);
        DecodedFrame data = DecodedFrame.parse(frames.get(0));
        assertThat(DecodedFrame.u16(data.raw(), 16)).as("IPv4 total length").isEqualTo(20 + 20 + 5);
        assertThat(data.payload()).isEqualTo("hello".getBytes());
        assertThat(data.flags()).isEqualTo(0x18);
        assertThat(data.ipv4ChecksumValid()).isTrue();
        assertThat(data.tcpChecksumValid()).isTrue();
        assertThat(data.window()).isEqualTo(65_535);
    }

    @Test
    void vlanTagSitsBetweenMacsAndEtherType() throws Exception {
        List<Frame> frames = openFlow(ipv4(), MirrorAddressing.defaults().withVlan(100));
        byte[] raw = frames.get(0).bytes();
        assertThat(HEX.formatHex(raw, 12, 20)).isEqualTo("8100" + "0064" + "0800" + "4500");
        assertThat(raw).hasSize(18 + 20 + 24);
        DecodedFrame syn = DecodedFrame.parse(frames.get(0));
        assertThat(syn.vlanTci()).isEqualTo(100);
        assertThat(syn.ipv4ChecksumValid()).isTrue();
        assertThat(syn.tcpChecksumValid()).isTrue();
    }

    @Test
    void ipv6HeaderAndPseudoHeaderChecksum() throws Exception {
        FlowEndpoints v6 = new FlowEndpoints(InetAddress.getByName("2001:db8::1"), 50_000,
                InetAddress.getByName("2001:db8::2"), 80);
        TcpFlowSynthesizer flow = new TcpFlowSynthesizer(v6, MirrorAddressing.defaults().withVlan(4094), 7, 9);
        List<Frame> frames = new ArrayList<>();
        FrameSink sink = FrameSink.collectingInto(frames);
        flow.open(1, sink);
        flow.clientData(2, new byte[] {1, 2, 3}, 0, 3, sink);
        byte[] syn = frames.get(0).bytes();
        assertThat(HEX.formatHex(syn, 12, 18)).isEqualTo("8100" + "0ffe" + "86dd");
        assertThat(HEX.formatHex(syn, 18, 58)).isEqualTo("60000000" + "0018" + "06" + "40"
                + "20010db8000000000000000000000001" + "20010db8000000000000000000000002");
        assertThat(syn).hasSize(18 + 40 + 24);
        DecodedFrame data = DecodedFrame.parse(frames.get(3));
        assertThat(DecodedFrame.u16(data.raw(), 18 + 4)).as("payload length").isEqualTo(20 + 3);
        assertThat(data.payload()).containsExactly(1, 2, 3);
        for (Frame frame : frames) {
            assertThat(DecodedFrame.parse(frame).tcpChecksumValid()).isTrue();
        }
    }

    private static List<Frame> openFlow(FlowEndpoints endpoints, MirrorAddressing addressing) {
        List<Frame> frames = new ArrayList<>();
        new TcpFlowSynthesizer(endpoints, addressing, 1000, 2000).open(1_000_000, FrameSink.collectingInto(frames));
        return frames;
    }

    static FlowEndpoints ipv4() throws Exception {
        return new FlowEndpoints(InetAddress.getByName("192.0.2.10"), 49_152, InetAddress.getByName("198.51.100.20"), 443);
    }
}
