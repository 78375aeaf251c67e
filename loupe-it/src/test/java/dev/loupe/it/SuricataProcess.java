package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Suricata started in a lab namespace with the configuration and rules in {@code logs}, once its engine runs. */
final class SuricataProcess {
    /** The app-layer and stream settings both IPS labs use: whole bodies inspected, midstream flows taken. */
    static final String STREAM_AND_HTTP = """
            stream:
              memcap: 64mb
              checksum-validation: no
              inline: yes
              midstream: true
              reassembly: { memcap: 256mb, depth: 0 }
            """;

    private SuricataProcess() {
    }

    static Process start(String ns, Path logs, String... modeArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Partners.require("suricata"), "-c",
                logs.resolve("suricata.yaml").toString(), "-S", logs.resolve("ips.rules").toString(), "-l",
                logs.toString(), "-k", "none", "--pidfile", logs.resolve("suricata.pid").toString()));
        cmd.addAll(List.of(modeArgs));
        Process suricata = Net.inNamespace(ns, cmd.toArray(String[]::new)).redirectErrorStream(true)
                .redirectOutput(logs.resolve("suricata.out").toFile()).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.readString(logs.resolve("suricata.out")).contains("Engine started")) {
            assertThat(suricata.isAlive()).as(Files.readString(logs.resolve("suricata.out"))).isTrue();
            assertThat(System.currentTimeMillis()).as("Suricata start").isLessThan(deadline);
            Thread.sleep(100);
        }
        return suricata;
    }
}
