package dev.loupe.core.tap;

import java.util.Arrays;
import java.util.Objects;

/**
 * Picks which of several mirror targets receives a conversation. The hash is symmetric (both directions
 * of a flow give the same value) so a tool always sees both halves, and stable (no JVM-seeded hash codes)
 * so the same flow lands on the same target after a restart or on another gateway instance.
 */
public final class FlowHash {
    private static final int FNV_OFFSET = 0x811C_9DC5;
    private static final int FNV_PRIME = 0x0100_0193;

    private FlowHash() {
    }

    public static int of(FlowEndpoints flow) {
        Objects.requireNonNull(flow, "flow");
        byte[] client = flow.client().getAddress();
        byte[] server = flow.server().getAddress();
        // Hashing the endpoints in a canonical order, rather than client first, is what makes it symmetric.
        boolean clientFirst = compare(client, flow.clientPort(), server, flow.serverPort()) <= 0;
        int hash = FNV_OFFSET;
        hash = absorb(hash, clientFirst ? client : server, clientFirst ? flow.clientPort() : flow.serverPort());
        hash = absorb(hash, clientFirst ? server : client, clientFirst ? flow.serverPort() : flow.clientPort());
        return finalMix(hash);
    }

    /** The target index in {@code 0..targets-1} for this flow. */
    public static int pick(FlowEndpoints flow, int targets) {
        if (targets < 1) {
            throw new IllegalArgumentException("targets " + targets + " must be at least 1");
        }
        return Math.floorMod(of(flow), targets);
    }

    private static int compare(byte[] address, int port, byte[] otherAddress, int otherPort) {
        int byAddress = Arrays.compareUnsigned(address, otherAddress);
        return byAddress != 0 ? byAddress : Integer.compare(port, otherPort);
    }

    /** FNV-1a over the address bytes and the two port bytes. */
    private static int absorb(int hash, byte[] address, int port) {
        for (byte b : address) {
            hash = (hash ^ (b & 0xFF)) * FNV_PRIME;
        }
        hash = (hash ^ (port >>> 8)) * FNV_PRIME;
        return (hash ^ (port & 0xFF)) * FNV_PRIME;
    }

    /** MurmurHash3's finalizer: FNV's low bits alone are too weak for a small modulus such as 4 targets. */
    private static int finalMix(int hash) {
        hash ^= hash >>> 16;
        hash *= 0x85EB_CA6B;
        hash ^= hash >>> 13;
        hash *= 0xC2B2_AE35;
        return hash ^ (hash >>> 16);
    }
}
