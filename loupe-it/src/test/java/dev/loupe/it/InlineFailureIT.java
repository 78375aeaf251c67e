package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An inline device (squid) that fails in use, long before its next probe: the request that found it gone gets
 * a 502 naming it, the device leaves rotation at once, and every later request goes through the other device.
 */
class InlineFailureIT {
    @TempDir
    Path dir;

    @Test
    void aDeviceThatFailsInUseLeavesRotationAtOnce() throws Exception {
        int returnPort = Partners.freePort();
        try (Origins origins = Origins.start(dir.resolve("origins"));
             Squids squids = Squids.start(dir.resolve("squids"), 2, returnPort);
             GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                     inline:
                       return-port: %d
                       services:
                         # probes 5 s apart: the requests below (about a second) meet the failure before a probe does
                         - {name: filter, devices: ["%s", "%s"], failure-mode: fail-closed, health-interval: 5s}
                     """.formatted(returnPort, squids.device(0), squids.device(1)))) {
            // squid counts its parent dead for a moment after start: the first probe may fail; poll until both are up
            for (int i = 0; i < 2; i++) {
                loupe.awaitMetric("loupe_inline_device_up{device=\"" + squids.device(i) + "\",service=\"filter\"} 1");
            }
            // right after a probe passed: the next one is about 5 s away
            squids.stop(1);
            List<String> codes = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-w",
                        "\n%{http_code}", origins.url(Site.GOOD, "/index.html?in-use=" + i));
                String text = r.text();
                codes.add(text.substring(text.lastIndexOf('\n') + 1));
                if (!text.endsWith("\n200")) {
                    assertThat(text).endsWith("\n502").contains("filter").contains(squids.device(1));
                }
            }
            assertThat(codes.stream().filter(c -> !c.equals("200")).count()).as("only the request that found it gone: "
                    + codes).isEqualTo(1);
            assertThat(codes.subList(6, 12)).as("afterwards all through the other device").containsOnly("200");
            assertThat(loupe.metrics())
                    .contains("loupe_inline_device_up{device=\"" + squids.device(1) + "\",service=\"filter\"} 0")
                    .containsPattern("loupe_inline_failures_total\\{device=\"" + squids.device(1).replace(".", "\\.")
                            + "\",service=\"filter\"} [1-9]");
        }
    }

    @Test
    void aFlowThatGetsNoAnswerThroughTheDeviceEndsAfterTheResponseTimeout() throws Exception {
        int returnPort = Partners.freePort();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
             Origins origins = Origins.start(dir.resolve("origins-stall"), "location /stall { proxy_pass http://127.0.0.1:"
                     + silent.getLocalPort() + "; proxy_read_timeout 60s; }");
             Squids squids = Squids.start(dir.resolve("squids-stall"), 1, returnPort);
             GatewayUnderTest loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe-stall")), origins, """
                     inline:
                       return-port: %d
                       services:
                         - {name: filter, devices: ["%s"], failure-mode: fail-closed, health-interval: 300ms,
                            response-timeout: 2s}
                     """.formatted(returnPort, squids.device(0)))) {
            loupe.awaitMetric("loupe_inline_device_up{device=\"" + squids.device(0) + "\",service=\"filter\"} 1");
            long start = System.nanoTime();
            Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-w",
                    "\n%{http_code}", origins.url(Site.GOOD, "/stall"));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.text()).endsWith("\n502").contains("filter");
            assertThat(ms).as("ended by the 2 s response-timeout, not squid's or nginx's 60 s").isBetween(1_900L, 15_000L);
            loupe.awaitLog(n -> n.path("close_reason").asText().contains("gave no answer within 2000 ms"));
            // and the device stays in rotation: one silent flow says nothing about the device
            assertThat(Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                    origins.url(Site.GOOD, "/index.html")).text()).contains(Origins.MARKER);
        }
    }
}
