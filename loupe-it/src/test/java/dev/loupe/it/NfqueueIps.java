package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Suricata 7 as a routed IPS in NFQUEUE mode inside a network namespace that forwards between two links:
 * every forwarded packet goes to queue 0 and passes only if Suricata accepts it (no fail-open: with
 * Suricata gone, nothing crosses). Its eve.json records alerts, HTTP transactions and drops.
 */
final class NfqueueIps {
    /** A reset for a marker in the URL and a silent drop for a marker anywhere in the stream. */
    static final String RULES = """
            rejectboth http any any -> any any (msg:"IPS-TEST marker in URL"; flow:established,to_server; http.uri; content:"BLOCK-ME-MARKER"; sid:1000001; rev:1;)
            drop tcp any any -> any any (msg:"IPS-TEST silent drop"; flow:established; content:"SILENT-DROP-MARKER"; sid:1000005; rev:1;)
            """;

    private NfqueueIps() {
    }

    /** Starts Suricata in {@code ns} with {@link #RULES}, logging to {@code logs}; returns once its engine runs. */
    static Process start(String ns, Path logs) throws Exception {
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("ips.rules"), RULES);
        Files.writeString(logs.resolve("suricata.yaml"), SuricataProcess.yamlHead("10.78.0.0/16") + """
                nfq: { mode: accept, fail-open: no }
                """ + SuricataProcess.STREAM + """
                app-layer:
                  protocols:
                    http:
                      enabled: yes
                      libhtp:
                        default-config:
                          personality: IDS
                          request-body-limit: 0
                          response-body-limit: 0
                          request-body-minimal-inspect-size: 1
                          response-body-minimal-inspect-size: 1
                """);
        Net.run("ip", "netns", "exec", ns, "iptables-nft", "-A", "FORWARD", "-j", "NFQUEUE", "--queue-num", "0");
        return SuricataProcess.start(ns, logs, "-q", "0");
    }
}
