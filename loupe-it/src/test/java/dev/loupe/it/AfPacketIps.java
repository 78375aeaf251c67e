package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Suricata 7 as a bump-in-the-wire IPS: af-packet in IPS mode copying frames between interface pairs of a
 * namespace that has no addresses and no routes (a pure L2 device). A reject is injected at layer 2 on the
 * first interface ({@code host-mode: sniffer-only} with {@code --reject-dev}). eve.json records alerts, drops
 * and HTTP transactions.
 */
final class AfPacketIps {
    /** A silent drop for one marker in the URL, a reset for another. */
    static final String RULES = """
            drop http any any -> any any (msg:"L2-TEST silent drop"; flow:established,to_server; http.uri; content:"SILENT-DROP-MARKER"; sid:2000001; rev:1;)
            reject http any any -> any any (msg:"L2-TEST reject"; flow:established,to_server; http.uri; content:"REJECT-MARKER"; sid:2000002; rev:1;)
            """;

    private AfPacketIps() {
    }

    /** {@code pairs}: each two interfaces Suricata bridges both ways; returns once its engine runs. */
    static Process start(String ns, Path logs, List<String[]> pairs) throws Exception {
        Files.createDirectories(logs);
        Files.writeString(logs.resolve("ips.rules"), RULES);
        StringBuilder afPacket = new StringBuilder();
        int cluster = 91;
        for (String[] pair : pairs) {
            for (String[] way : new String[][] {{pair[0], pair[1]}, {pair[1], pair[0]}}) {
                afPacket.append("""
                          - interface: %s
                            copy-iface: %s
                            copy-mode: ips
                            cluster-id: %d
                            cluster-type: cluster_flow
                            threads: 1
                            defrag: no
                            use-mmap: yes
                            tpacket-v3: no
                            checksum-checks: no
                        """.formatted(way[0], way[1], cluster++));
            }
        }
        Files.writeString(logs.resolve("suricata.yaml"), SuricataProcess.yamlHead("10.79.0.0/16") + """
                host-mode: sniffer-only
                af-packet:
                %s
                %s
                app-layer:
                  protocols:
                    http:
                      enabled: yes
                """.formatted(afPacket.toString().stripTrailing(), SuricataProcess.STREAM.stripTrailing()));
        return SuricataProcess.start(ns, logs, "--af-packet", "--runmode", "workers", "--reject-dev=" + pairs.get(0)[0]);
    }
}
