package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decrypt once, feed every tool: one configuration with the mirror (pcap file read by tshark), an inline
 * filtering proxy (squid) and ICAP RESPMOD (c-icap + ClamAV); one HTTPS download is seen by all three.
 */
class AllToolsIT {
    @TempDir
    Path dir;

    /** The order comes from pipeline: or, spelled the older way, from inline.icap-position and mirror-leg. */
    @org.junit.jupiter.params.ParameterizedTest(name = "icap-position {0}, mirror-leg {1}, pipeline {2}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {"before | device | -",
            "- | - | [icap, url-intel, inline, mirror]", "- | - | [url-intel, mirror, inline, icap]"})
    void oneHttpsDownloadIsSeenByTheMirrorTheInlineDeviceAndIcap(String icapPosition, String mirrorLeg,
                                                                 String pipeline) throws Exception {
        boolean legacy = pipeline.equals("-");
        boolean icapBefore = legacy ? icapPosition.equals("before") : pipeline.indexOf("icap") < pipeline.indexOf("inline");
        boolean mirrorDeviceLeg = legacy ? mirrorLeg.equals("device")
                : pipeline.indexOf("mirror") < pipeline.indexOf("inline");
        int returnPort = Partners.freePort();
        Path pcapDir = dir.resolve("pcap");
        try (IcapServers icap = IcapServers.start(dir.resolve("icap"), 1);
             Origins origins = Origins.start(dir.resolve("origins"));
             Squids squids = Squids.start(dir.resolve("squids"), 1, returnPort)) {
            GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                    mirror:
                      server-port-map: {%1$d: 80}
                      sinks: [{type: pcap-file, directory: %2$s}]
                    %6$s
                    inline:
                    %7$s
                      return-port: %3$d
                      services: [{name: filter, devices: ["%4$s"], health-interval: 300ms}]
                    icap:
                      services: [{name: av, mode: respmod, servers: [%5$s]}]
                    """.formatted(origins.ports.get(Site.GOOD), pcapDir, returnPort, squids.device(0), icap.uri(0),
                    legacy ? "" : "pipeline: " + pipeline,
                    legacy ? "  icap-position: " + icapPosition + "\n  mirror-leg: " + mirrorLeg : ""));
            Path out = dir.resolve("300k.out");
            try {
                loupe.awaitMetric("loupe_inline_device_up{device=\"" + squids.device(0) + "\",service=\"filter\"} 1");
                Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-o",
                        out.toString(), "-w", "%{http_code}", origins.url(Site.GOOD, "/300k.bin?all-tools"));
                assertThat(r.text()).as(r.stderr()).isEqualTo("200");
                assertThat(Origins.sha256(out)).isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
                Thread.sleep(500); // the connection closes, the mirror drains
            } finally {
                loupe.close();
            }
            assertThat(Files.readString(dir.resolve("squids/squid-0/access.log")))
                    .as("the inline device carried it").contains("GET http://upstream.test:" + origins.ports.get(Site.GOOD) + "/300k.bin");
            assertThat(Files.readString(dir.resolve("icap/c-icap-0/log/access.log")))
                    .as("the ICAP service scanned it").contains("RESPMOD");
            String log = Files.readString(loupe.accessLog);
            assertThat(log).contains("\"result\":\"unmodified\"").contains("\"inline\":\"filter via " + squids.device(0) + "\"");
            String clientSide = log.lines().filter(l -> l.contains("\"inline\":\"filter via")).findFirst().orElseThrow();
            assertThat(clientSide.contains("\"icap\"")).as("ICAP ran on the client's side of the device: " + clientSide)
                    .isEqualTo(icapBefore);
            Path capture;
            try (Stream<Path> files = Files.list(pcapDir)) {
                capture = files.filter(p -> p.toString().endsWith(".pcap")).findFirst().orElseThrow();
            }
            String uri = Tshark.read(capture, "-Y", "http.request", "-T", "fields", "-e", "http.request.uri").strip();
            assertThat(uri).as("the mirror saw the decrypted request").contains("/300k.bin?all-tools");
            // the device leg carries proxy requests (absolute URI); the origin leg carries origin-form ones
            assertThat(uri.startsWith("http://")).as(uri).isEqualTo(mirrorDeviceLeg);
            Path objects = Files.createDirectories(dir.resolve("objects"));
            Tshark.read(capture, "-q", "--export-objects", "http," + objects);
            try (Stream<Path> exported = Files.list(objects)) {
                Path body = exported.filter(p -> p.getFileName().toString().startsWith("300k.bin")).findFirst()
                        .orElseThrow();
                assertThat(Origins.sha256(body)).as("and the whole response")
                        .isEqualTo(Origins.sha256(origins.www.resolve("300k.bin")));
            }
        }
    }
}
