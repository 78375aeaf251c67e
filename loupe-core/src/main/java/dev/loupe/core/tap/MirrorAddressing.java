package dev.loupe.core.tap;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The link-layer identity given to mirrored packets, which the real network never carried: the MACs of
 * both sides, an optional 802.1Q VLAN (so a tool can tell mirrored traffic from what it sniffs itself)
 * and the largest TCP payload per synthesized segment.
 *
 * @param vlanId 1..4094, or {@code null} for untagged frames
 * @param mss maximum TCP payload per segment, 64..65495 (65495 fills a 65535-byte IPv4 datagram)
 */
public record MirrorAddressing(byte[] clientMac, byte[] serverMac, Integer vlanId, int mss) {
    public static final int DEFAULT_MSS = 1460;
    public static final int MIN_MSS = 64;
    public static final int MAX_MSS = 65_495;
    private static final int MAC_LENGTH = 6;

    public MirrorAddressing {
        clientMac = checkedMac("clientMac", clientMac);
        serverMac = checkedMac("serverMac", serverMac);
        if (vlanId != null && (vlanId < 1 || vlanId > 4094)) {
            throw new IllegalArgumentException("VLAN id " + vlanId + " outside 1..4094");
        }
        if (mss < MIN_MSS || mss > MAX_MSS) {
            throw new IllegalArgumentException("MSS " + mss + " outside " + MIN_MSS + ".." + MAX_MSS);
        }
    }

    /** Locally administered MACs (the 0x02 bit) so mirrored frames never impersonate a real vendor's NIC. */
    public static MirrorAddressing defaults() {
        return new MirrorAddressing(new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, null, DEFAULT_MSS);
    }

    public MirrorAddressing withVlan(Integer newVlanId) {
        return new MirrorAddressing(clientMac, serverMac, newVlanId, mss);
    }

    public MirrorAddressing withMss(int newMss) {
        return new MirrorAddressing(clientMac, serverMac, vlanId, newMss);
    }

    @Override
    public byte[] clientMac() {
        return clientMac.clone();
    }

    @Override
    public byte[] serverMac() {
        return serverMac.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MirrorAddressing that
                && Arrays.equals(clientMac, that.clientMac)
                && Arrays.equals(serverMac, that.serverMac)
                && Objects.equals(vlanId, that.vlanId)
                && mss == that.mss;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(clientMac), Arrays.hashCode(serverMac), vlanId, mss);
    }

    @Override
    public String toString() {
        HexFormat mac = HexFormat.ofDelimiter(":");
        return "MirrorAddressing[clientMac=" + mac.formatHex(clientMac) + ", serverMac=" + mac.formatHex(serverMac)
                + ", vlanId=" + vlanId + ", mss=" + mss + "]";
    }

    private static byte[] checkedMac(String name, byte[] mac) {
        Objects.requireNonNull(mac, name);
        if (mac.length != MAC_LENGTH) {
            throw new IllegalArgumentException(name + " must be 6 bytes, got " + mac.length);
        }
        return mac.clone();
    }
}
