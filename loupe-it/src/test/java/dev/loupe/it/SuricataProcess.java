package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Suricata started in a lab namespace with the configuration and rules in {@code logs}, once its engine runs. */
final class SuricataProcess {
    /** The stream settings both IPS labs use: inline, midstream flows taken, whole streams reassembled. */
    static final String STREAM = """
            stream:
              memcap: 64mb
              checksum-validation: no
              inline: yes
              midstream: true
              reassembly: { memcap: 256mb, depth: 0 }
            """;

    /**
     * The start of suricata.yaml both IPS labs share: {@code homeNet}, the rule metadata files, eve.json with alerts,
     * HTTP transactions and drops, and console logging; each lab adds its capture, stream and app-layer sections.
     */
    static String yamlHead(String homeNet) {
        return """
                %%YAML 1.1
                ---
                vars:
                  address-groups: { HOME_NET: "[%s]", EXTERNAL_NET: "any" }
                  port-groups: { HTTP_PORTS: "80" }
                classification-file: /etc/suricata/classification.config
                reference-config-file: /etc/suricata/reference.config
                outputs:
                  - eve-log:
                      enabled: yes
                      filetype: regular
                      filename: eve.json
                      types: [ alert, { http: { extended: yes } }, { drop: { alerts: yes, flows: start } } ]
                logging: { default-log-level: notice, outputs: [ { console: { enabled: yes } } ] }
                """.formatted(homeNet);
    }

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
