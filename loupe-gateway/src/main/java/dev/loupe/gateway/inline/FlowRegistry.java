package dev.loupe.gateway.inline;

import dev.loupe.gateway.proxy.Origin;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decrypted flows whose requests travel through an inline device: the return listener finds the real
 * origin by the flow id the request carries. Ids are 128 random bits, so the return listener cannot be
 * used to reach anything but a flow a client already opened (it is no open proxy). Health probes get ids
 * of their own, answered by Loupe itself.
 */
public final class FlowRegistry {
    /** Header carrying the flow id out to the device and back. */
    public static final String FLOW_HEADER = "X-Loupe-Flow";
    /** Header carrying the original scheme ({@code https} for decrypted traffic). */
    public static final String SCHEME_HEADER = "X-Loupe-Scheme";

    /** Where a flow's requests really go. */
    public record Flow(String id, Origin origin, String serverName, String clientIp) {
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Flow> flows = new ConcurrentHashMap<>();
    private final Map<String, Boolean> probes = new ConcurrentHashMap<>();
    /** L3: the return listener knows a flow by the (spoofed) client address and port it comes from. */
    private final Map<String, Flow> byPeer = new ConcurrentHashMap<>();
    private final Map<String, java.util.List<String>> peersOf = new ConcurrentHashMap<>();

    public Flow register(Origin origin, String serverName, String clientIp) {
        Flow flow = new Flow(newId(), origin, serverName, clientIp);
        flows.put(flow.id(), flow);
        return flow;
    }

    public Flow find(String id) {
        return id == null ? null : flows.get(id);
    }

    public void remove(Flow flow) {
        flows.remove(flow.id());
        java.util.List<String> peers = peersOf.remove(flow.id());
        if (peers != null) {
            peers.forEach(byPeer::remove);
        }
    }

    /** L3: {@code source} is the address and port a plaintext connection of {@code flow} was made from. */
    public void registerPeer(java.net.SocketAddress source, Flow flow) {
        String key = String.valueOf(source);
        byPeer.put(key, flow);
        peersOf.computeIfAbsent(flow.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(key);
    }

    public Flow findByPeer(java.net.SocketAddress peer) {
        return byPeer.get(String.valueOf(peer));
    }

    /** A one-off id for a health probe; {@link #takeProbe} recognises it once. */
    public String newProbe() {
        String id = "probe-" + newId();
        probes.put(id, Boolean.TRUE);
        return id;
    }

    public boolean takeProbe(String id) {
        return id != null && probes.remove(id) != null;
    }

    public int size() {
        return flows.size();
    }

    private String newId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
