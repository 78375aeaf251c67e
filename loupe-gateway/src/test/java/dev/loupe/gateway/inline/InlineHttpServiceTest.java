package dev.loupe.gateway.inline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.config.ConfigLoader;
import dev.loupe.core.config.InlineServiceConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InlineHttpServiceTest {
    @Test
    void aDeviceIsOutOfRotationUntilItsFirstProbeComesBack() throws Exception {
        try (ServerSocket device = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            InlineServiceConfig config = new ConfigLoader().parse("""
                    inline:
                      return-port: 1
                      services:
                        - {name: filter, devices: ["127.0.0.1:%d"], failure-mode: fail-closed, health-interval: 100ms}
                    """.formatted(device.getLocalPort())).inline().services().get(0);
            PrometheusRegistry registry = new PrometheusRegistry();
            try (InlineHttpService service = new InlineHttpService(config, new FlowRegistry(), registry)) {
                assertThat(service.pick(7)).as("never probed: not up").isNull();
                assertThat(gauge(registry)).isEqualTo(0.0);
                // a device loop that works: Loupe's answer naming each probe comes back (every probe: with only
                // the first answered, the next one would take the device down again while a slow machine looks)
                Thread.ofVirtual().start(() -> answerProbes(device));
                service.startProbing();
                long deadline = System.currentTimeMillis() + 5_000;
                while (service.pick(7) == null && System.currentTimeMillis() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(service.pick(7)).as("up after a probe came back").isNotNull();
                assertThat(gauge(registry)).isEqualTo(1.0);
            }
        }
    }

    private static void answerProbes(ServerSocket device) {
        while (!device.isClosed()) {
            try (Socket s = device.accept()) {
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                String id = line.split(" ")[1].substring("http://loupe-probe.invalid/".length());
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + id.length() + "\r\n\r\n" + id)
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                return; // the test closed the device
            }
        }
    }

    private static double gauge(PrometheusRegistry registry) {
        return registry.scrape().stream().filter(m -> m.getMetadata().getPrometheusName().equals("loupe_inline_device_up"))
                .flatMap(m -> m.getDataPoints().stream())
                .mapToDouble(p -> ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p).getValue())
                .findFirst().orElse(-1);
    }
}
