package dev.loupe.core.config;

import java.util.List;
import java.util.Map;

/**
 * The decrypted-traffic mirror: plaintext of every decrypted connection (and of plain HTTP),
 * synthesized as Ethernet/IP/TCP packets for passive tools. Off unless sinks are configured.
 *
 * @param serverPortMap  rewrites the server port in synthesized packets (e.g. 443 → 80 so an IDS parses HTTP)
 * @param includeRelayed also mirror connections relayed without decryption (their bytes as they are)
 * @param queueBytes     plaintext waiting to be mirrored; beyond it whole events are dropped and counted
 */
public record MirrorConfig(
        List<MirrorSinkConfig> sinks,
        Map<Integer, Integer> serverPortMap,
        Boolean includeRelayed,
        String clientMac,
        String serverMac,
        Integer vlan,
        Integer mss,
        Long queueBytes) {

    public MirrorConfig {
        sinks = List.copyOf(Check.orDefault(sinks, List.of()));
        serverPortMap = Map.copyOf(Check.orDefault(serverPortMap, Map.of(443, 80)));
        includeRelayed = Check.orDefault(includeRelayed, false);
        clientMac = mac("client-mac", Check.orDefault(clientMac, "02:00:00:00:00:01"));
        serverMac = mac("server-mac", Check.orDefault(serverMac, "02:00:00:00:00:02"));
        if (vlan != null) {
            Check.range("vlan", vlan, 1, 4094);
        }
        mss = Check.range("mss", Check.orDefault(mss, 1460), 64, 65_495);
        queueBytes = Check.orDefault(queueBytes, 64L * 1024 * 1024);
        if (queueBytes < 65_536) {
            throw new ConfigException("queue-bytes", queueBytes, "must be at least 65536");
        }
        for (var e : serverPortMap.entrySet()) {
            Check.range("server-port-map", e.getKey(), 1, 65535);
            Check.range("server-port-map", e.getValue(), 1, 65535);
        }
    }

    public static MirrorConfig defaults() {
        return new MirrorConfig(null, null, null, null, null, null, null, null);
    }

    public boolean enabled() {
        return !sinks.isEmpty();
    }

    public static byte[] macBytes(String mac) {
        String[] parts = mac.split(":");
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    private static String mac(String field, String value) {
        if (!value.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new ConfigException(field, value, "must be a MAC address such as 02:00:00:00:00:01");
        }
        return value.toLowerCase(java.util.Locale.ROOT);
    }
}
