package dev.loupe.gateway.inline;

import dev.loupe.core.net.Origin;
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
    private final Map<String, Peer> byPeer = new ConcurrentHashMap<>();

    /** An L3 plaintext connection: its flow, and the address it was sent to (where TPROXY delivers it). */
    private record Peer(Flow flow, String destination) {
    }
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
            // only this flow's entries: a newer flow may have been given the same address and port since
            peers.forEach(key -> byPeer.computeIfPresent(key, (k, p) -> p.flow() == flow ? null : p));
        }
    }

    /**
     * L3: a plaintext connection of {@code flow} was made from {@code source} to {@code destination}; the entry
     * goes when that connection closes, or with the flow.
     */
    public void registerPeer(java.net.SocketAddress source, java.net.SocketAddress destination, Flow flow,
                             io.netty.util.concurrent.Future<?> closed) {
        String key = normalized(source);
        Peer peer = new Peer(flow, normalized(destination));
        byPeer.put(key, peer);
        peersOf.computeIfAbsent(flow.id(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(key);
        closed.addListener(f -> byPeer.remove(key, peer));
    }

    /**
     * L3: the flow of a connection the return listener accepted from {@code peer}, provided it was addressed
     * to where Loupe sent it ({@code local}): proof that TPROXY delivered it, not a client connecting directly.
     */
    public Flow findByPeer(java.net.SocketAddress peer, java.net.SocketAddress local) {
        Peer p = byPeer.get(normalized(peer));
        return p != null && p.destination().equals(normalized(local)) ? p.flow() : null;
    }

    /** {@code ip:port} without any host name (Java maps ::ffff:a.b.c.d to a.b.c.d itself). */
    private static String normalized(java.net.SocketAddress address) {
        return address instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(address);
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
