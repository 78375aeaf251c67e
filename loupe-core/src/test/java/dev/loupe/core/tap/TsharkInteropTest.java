package dev.loupe.core.tap;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feeds synthesized captures to Wireshark's dissectors: the HTTP inside must be visible, TCP analysis
 * must find nothing to complain about, every checksum must verify, and reassembly must give back the
 * exact bytes. This is the contract with Suricata, Zeek and friends, checked with a real reader.
 */
class TsharkInteropTest {
    private static final byte[] REQUEST = "GET /index.html HTTP/1.1\r\nHost: a.test\r\n\r\n".getBytes(US_ASCII);
    private static final byte[] BODY = TcpFlowSynthesizerTest.bytes(50_000, 50);
    private static final byte[] RESPONSE_HEAD = ("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: " + BODY.length + "\r\n\r\n").getBytes(US_ASCII);
    private static final long START_MICROS = 1_764_151_200_000_000L;
    private static final String BAD_OR_SUSPICIOUS =
            "tcp.analysis.flags || tcp.checksum.status == \"Bad\" || ip.checksum.status == \"Bad\"";

    @TempDir
    Path dir;

    record Variant(String name, boolean pcapng, boolean ipv6, Integer vlan, long clientIsn) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Variant> variants() {
        return Stream.of(
                new Variant("pcap IPv4", false, false, null, 1_000),
                new Variant("pcapng IPv4", true, false, null, 123_456_789),
                new Variant("pcap IPv6", false, true, null, 42),
                new Variant("pcap IPv4 VLAN 42, ISN wrapping", false, false, 42, 0xFFFF_FF00L),
                new Variant("pcapng IPv6 VLAN 4094", true, true, 4094, 7));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void httpRequestIsVisible(Variant variant) throws Exception {
        Path capture = writeHttpConversation(variant);
        assertThat(Tshark.run(dir, "-r", capture.toString(), "-Y", "http.request",
                "-T", "fields", "-e", "http.host", "-e", "http.request.uri")).isEqualTo("a.test\t/index.html\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void noTcpAnalysisWarningsAndEveryChecksumVerifies(Variant variant) throws Exception {
        Path capture = writeHttpConversation(variant);
        assertCleanCapture(capture, variant.vlan());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void exportedResponseBodyIsTheOriginal(Variant variant) throws Exception {
        Path capture = writeHttpConversation(variant);
        Path objects = Files.createDirectory(dir.resolve("objects"));
        Tshark.run(dir, "-r", capture.toString(), "-q", "--export-objects", "http," + objects);
        try (Stream<Path> exported = Files.list(objects)) {
            List<Path> files = exported.toList();
            assertThat(files).hasSize(1);
            assertThat(Files.readAllBytes(files.get(0))).isEqualTo(BODY);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void followedStreamIsByteIdentical(Variant variant) throws Exception {
        Path capture = writeHttpConversation(variant);
        FollowedStream stream = FollowedStream.of(Tshark.run(dir, "-r", capture.toString(), "-q", "-z", "follow,tcp,raw,0"));
        assertThat(stream.client()).isEqualTo(HexFormat.of().formatHex(REQUEST));
        assertThat(stream.server()).isEqualTo(HexFormat.of().formatHex(RESPONSE_HEAD) + HexFormat.of().formatHex(BODY));
    }

    @Test
    void bulkTransferBothWaysStaysWithinTheWindow() throws Exception {
        byte[] upload = TcpFlowSynthesizerTest.bytes(1 << 20, 60);
        byte[] download = TcpFlowSynthesizerTest.bytes(1 << 20, 61);
        Path capture = dir.resolve("bulk.pcapng");
        TcpFlowSynthesizer flow = new TcpFlowSynthesizer(FrameLayoutTest.ipv4(), MirrorAddressing.defaults(), 5, 6);
        try (CaptureWriter writer = new PcapNgWriter(new BufferedOutputStream(Files.newOutputStream(capture)))) {
            FrameSink sink = sinkTo(writer);
            flow.open(START_MICROS, sink);
            flow.clientData(START_MICROS + 1_000, upload, 0, upload.length, sink);
            flow.serverData(START_MICROS + 2_000, download, 0, download.length, sink);
            flow.clientData(START_MICROS + 3_000, upload, 0, 10, sink);
            flow.reset(START_MICROS + 4_000, true, sink);
        }
        assertCleanCapture(capture, null);
        FollowedStream stream = FollowedStream.of(Tshark.run(dir, "-r", capture.toString(), "-q", "-z", "follow,tcp,raw,0"));
        assertThat(stream.server()).isEqualTo(HexFormat.of().formatHex(download));
        assertThat(stream.client()).hasSize(2 * (upload.length + 10));
    }

    private void assertCleanCapture(Path capture, Integer vlan) throws Exception {
        String file = capture.toString();
        String frames = Tshark.run(dir, "-r", file, "-T", "fields", "-e", "frame.number");
        assertThat(frames.lines().count()).as("tshark read the capture").isGreaterThan(10);
        assertThat(Tshark.run(dir, "-r", file, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", BAD_OR_SUSPICIOUS)).isEmpty();
        // Guards against a vacuous pass: checksum validation really ran and approved every frame.
        String good = Tshark.run(dir, "-r", file, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
                "-Y", "tcp.checksum.status == \"Good\" && (ipv6 || ip.checksum.status == \"Good\")",
                "-T", "fields", "-e", "frame.number");
        assertThat(good).isEqualTo(frames);
        if (vlan != null) {
            assertThat(Tshark.run(dir, "-r", file, "-Y", "vlan.id == " + vlan, "-T", "fields", "-e", "frame.number"))
                    .isEqualTo(frames);
        }
    }

    private Path writeHttpConversation(Variant variant) throws Exception {
        FlowEndpoints endpoints = variant.ipv6()
                ? new FlowEndpoints(InetAddress.getByName("2001:db8::10"), 51_000, InetAddress.getByName("2001:db8::80"), 80)
                : new FlowEndpoints(InetAddress.getByName("192.0.2.10"), 51_000, InetAddress.getByName("198.51.100.80"), 80);
        MirrorAddressing addressing = MirrorAddressing.defaults().withVlan(variant.vlan());
        TcpFlowSynthesizer flow = new TcpFlowSynthesizer(endpoints, addressing, variant.clientIsn(), 0xFFFF_FFF0L);
        Path capture = dir.resolve("http." + (variant.pcapng() ? "pcapng" : "pcap"));
        try (CaptureWriter writer = variant.pcapng()
                ? new PcapNgWriter(new BufferedOutputStream(Files.newOutputStream(capture)))
                : new PcapWriter(new BufferedOutputStream(Files.newOutputStream(capture)))) {
            FrameSink sink = sinkTo(writer);
            flow.open(START_MICROS, sink);
            flow.clientData(START_MICROS + 100, REQUEST, 0, REQUEST.length, sink);
            flow.serverData(START_MICROS + 20_000, RESPONSE_HEAD, 0, RESPONSE_HEAD.length, sink);
            // The body arrives as TLS records would decrypt it: 16 KiB at a time, the last one short.
            for (int offset = 0; offset < BODY.length; offset += 16_384) {
                int length = Math.min(16_384, BODY.length - offset);
                flow.serverData(START_MICROS + 20_100 + offset, BODY, offset, length, sink);
            }
            flow.close(START_MICROS + 90_000, sink);
        }
        return capture;
    }

    private static FrameSink sinkTo(CaptureWriter writer) {
        return (timestampMicros, data, offset, length) -> {
            try {
                writer.write(timestampMicros, data, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The hex of each direction from {@code -z follow,tcp,raw}: server lines are indented by a tab. */
    record FollowedStream(String client, String server) {
        static FollowedStream of(String output) {
            StringBuilder client = new StringBuilder();
            StringBuilder server = new StringBuilder();
            boolean inData = false;
            for (String line : output.split("\n")) {
                if (line.startsWith("Node 1:")) {
                    inData = true;
                } else if (line.startsWith("=====")) {
                    inData = false;
                } else if (inData && !line.isBlank()) {
                    (line.startsWith("\t") ? server : client).append(line.strip());
                }
            }
            return new FollowedStream(client.toString(), server.toString());
        }
    }
}
