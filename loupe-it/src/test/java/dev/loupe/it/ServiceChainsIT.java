package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.it.Origins.Site;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service chains chosen per policy rule: "downloads" sends its connections through ICAP service av-a and the
 * mirror, "partners" through av-b only, and the default (no chain named) through everything. Each scripted ICAP
 * server logs what it saw, the PCAP file shows what the mirror saw: each chain's services see only their rule's
 * traffic, and the connection line names the rule and the chain.
 */
class ServiceChainsIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static Process avA;
    static Process avB;
    static GatewayUnderTest loupe;
    static Path pcapDir;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        int portA = Partners.freePort();
        int portB = Partners.freePort();
        avA = ScriptedIcap.start(dir, "av-a", portA, false);
        avB = ScriptedIcap.start(dir, "av-b", portB, false);
        pcapDir = Files.createDirectories(dir.resolve("pcap"));
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                icap:
                  services:
                    - {name: av-a, mode: respmod, servers: [icap://127.0.0.1:%d/a]}
                    - {name: av-b, mode: respmod, servers: [icap://127.0.0.1:%d/b]}
                mirror:
                  sinks:
                    - {type: pcap-file, directory: %s, format: pcap}
                policy:
                  rules:
                    - {name: downloads, hosts: [blocked.test], action: decrypt, services: [av-a, mirror]}
                    - {name: partners, hosts: [pushed.test], action: decrypt, services: [av-b]}
                """.formatted(portA, portB, pcapDir));
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
        for (Process p : new Process[] {avA, avB}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void eachChainsServicesSeeOnlyTheirRulesTraffic() throws Exception {
        fetch("http://blocked.test:" + origins.plainPort + "/index.html?chain-downloads");
        fetch("https://blocked.test:" + origins.ports.get(Site.GOOD) + "/index.html?chain-downloads-tls");
        fetch("http://pushed.test:" + origins.plainPort + "/index.html?chain-partners");
        fetch("http://upstream.test:" + origins.plainPort + "/index.html?chain-default");
        loupe.awaitLog(n -> n.path("url").asText().endsWith("?chain-default"));

        String a = Files.readString(dir.resolve("av-a-requests.log"));
        String b = Files.readString(dir.resolve("av-b-requests.log"));
        assertThat(a).contains("?chain-downloads ").contains("https://blocked.test:" + origins.ports.get(Site.GOOD)
                + "/index.html?chain-downloads-tls").contains("?chain-default").doesNotContain("?chain-partners");
        assertThat(b).contains("?chain-partners").contains("?chain-default").doesNotContain("?chain-downloads");

        loupe.gateway.close(); // flushes the PCAP file
        String captured = pcapText();
        assertThat(captured).contains("?chain-downloads").contains("?chain-default").doesNotContain("?chain-partners");

        JsonNode downloads = connection("blocked.test", "downloads");
        assertThat(downloads.path("chain").toString()).isEqualTo("[\"av-a\",\"mirror\"]");
        JsonNode exchange = loupe.readLog().stream().filter(n -> n.path("url").asText().endsWith("?chain-downloads"))
                .findFirst().orElseThrow();
        assertThat(exchange.path("icap").toString()).contains("av-a").doesNotContain("av-b");
        assertThat(connection("pushed.test", "partners").path("chain").toString()).isEqualTo("[\"av-b\"]");
    }

    private static void fetch(String url) throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), url);
        assertThat(r.text()).as(url + " " + r.stderr()).contains(Origins.MARKER);
    }

    /** The connection line of a connection to {@code host} that {@code rule} decided. */
    private static JsonNode connection(String host, String rule) throws Exception {
        var connections = loupe.readLog().stream().filter(n -> n.path("type").asText().equals("connection")).toList();
        return connections.stream().filter(n -> n.path("target").asText().startsWith(host)
                        && n.path("reason").asText().startsWith(rule)).findFirst()
                .orElseThrow(() -> new AssertionError("no connection line of " + host + " by " + rule + " in "
                        + connections));
    }

    private static String pcapText() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(pcapDir)) {
            for (Path f : files.toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
