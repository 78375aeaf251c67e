package dev.loupe.core.tap;

import static dev.loupe.core.tap.BigEndian.putInt;
import static dev.loupe.core.tap.BigEndian.putShort;

/**
 * Encodes one Ethernet/IP/TCP frame at a time into a single reusable buffer. Fields that never change
 * within a flow (EtherType, VLAN tag, IP version, TTL, protocol, DF) are written once at construction,
 * so each segment only costs the fields that vary, a payload copy and the checksums.
 */
final class FrameEncoder {
    static final int ETHERNET_HEADER = 14;
    static final int VLAN_TAG = 4;
    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int TCP_HEADER = 20;
    static final int MSS_OPTION = 4;
    /** Constant receive window; without window scaling this is the most a peer may have unacknowledged. */
    static final int WINDOW = 65_535;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int PROTOCOL_TCP = 6;
    private static final int HOP_LIMIT = 64;
    private static final int IPV4_DONT_FRAGMENT = 0x4000;
    private static final int TCP_OPTION_MSS = 2;

    private final byte[] frame;
    private final byte[] clientMac;
    private final byte[] serverMac;
    private final byte[] clientIp;
    private final byte[] serverIp;
    private final int clientPort;
    private final int serverPort;
    private final int mss;
    private final boolean ipv6;
    private final int ipOffset;
    private final int tcpOffset;
    /** Source plus destination address sum; addition commutes, so one value serves both directions. */
    private final long addressSum;
    private int clientIpId;
    private int serverIpId;

    FrameEncoder(FlowEndpoints endpoints, MirrorAddressing addressing) {
        ipv6 = endpoints.isIpv6();
        clientIp = endpoints.client().getAddress();
        serverIp = endpoints.server().getAddress();
        clientPort = endpoints.clientPort();
        serverPort = endpoints.serverPort();
        clientMac = addressing.clientMac();
        serverMac = addressing.serverMac();
        mss = addressing.mss();
        ipOffset = ETHERNET_HEADER + (addressing.vlanId() == null ? 0 : VLAN_TAG);
        tcpOffset = ipOffset + (ipv6 ? IPV6_HEADER : IPV4_HEADER);
        // A SYN carries the MSS option but never payload, so header + MSS bounds every frame we build.
        frame = new byte[tcpOffset + TCP_HEADER + mss];
        addressSum = InternetChecksum.add(InternetChecksum.add(0, clientIp, 0, clientIp.length),
                serverIp, 0, serverIp.length);
        writeConstantHeaders(addressing.vlanId());
    }

    /** The buffer holding the last encoded frame at offset 0; overwritten by the next {@link #encode}. */
    byte[] frame() {
        return frame;
    }

    int maxPayload() {
        return mss;
    }

    /** Encodes a segment and returns the frame length. A SYN gets the MSS option. */
    int encode(boolean fromClient, int seq, int ack, int flags, byte[] payload, int offset, int length) {
        if (length > mss) {
            throw new IllegalArgumentException("payload " + length + " exceeds MSS " + mss);
        }
        int tcpHeader = TCP_HEADER + ((flags & TcpFlags.SYN) != 0 ? MSS_OPTION : 0);
        int tcpLength = tcpHeader + length;
        System.arraycopy(fromClient ? serverMac : clientMac, 0, frame, 0, 6);
        System.arraycopy(fromClient ? clientMac : serverMac, 0, frame, 6, 6);
        if (ipv6) {
            writeIpv6(fromClient, tcpLength);
        } else {
            writeIpv4(fromClient, tcpLength);
        }
        writeTcpHeader(fromClient, seq, ack, flags, tcpHeader);
        System.arraycopy(payload, offset, frame, tcpOffset + tcpHeader, length);
        long pseudoHeader = addressSum + PROTOCOL_TCP + tcpLength;
        long sum = InternetChecksum.add(pseudoHeader, frame, tcpOffset, tcpLength);
        putShort(frame, tcpOffset + 16, InternetChecksum.finish(sum));
        return tcpOffset + tcpLength;
    }

    private void writeConstantHeaders(Integer vlanId) {
        if (vlanId != null) {
            putShort(frame, 12, ETHERTYPE_VLAN);
            putShort(frame, 14, vlanId); // priority 0, drop-eligible 0: the tag only labels the traffic
        }
        putShort(frame, ipOffset - 2, ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
        if (ipv6) {
            putInt(frame, ipOffset, 0x6000_0000); // version 6, traffic class 0, flow label 0
            frame[ipOffset + 6] = PROTOCOL_TCP;
            frame[ipOffset + 7] = HOP_LIMIT;
        } else {
            frame[ipOffset] = 0x45; // version 4, 5 words: options would only cost checksum time
            putShort(frame, ipOffset + 6, IPV4_DONT_FRAGMENT);
            frame[ipOffset + 8] = HOP_LIMIT;
            frame[ipOffset + 9] = PROTOCOL_TCP;
        }
    }

    private void writeIpv4(boolean fromClient, int tcpLength) {
        putShort(frame, ipOffset + 2, IPV4_HEADER + tcpLength);
        putShort(frame, ipOffset + 4, fromClient ? clientIpId++ : serverIpId++);
        putShort(frame, ipOffset + 10, 0);
        System.arraycopy(fromClient ? clientIp : serverIp, 0, frame, ipOffset + 12, 4);
        System.arraycopy(fromClient ? serverIp : clientIp, 0, frame, ipOffset + 16, 4);
        putShort(frame, ipOffset + 10, InternetChecksum.finish(InternetChecksum.add(0, frame, ipOffset, IPV4_HEADER)));
    }

    private void writeIpv6(boolean fromClient, int tcpLength) {
        putShort(frame, ipOffset + 4, tcpLength);
        System.arraycopy(fromClient ? clientIp : serverIp, 0, frame, ipOffset + 8, 16);
        System.arraycopy(fromClient ? serverIp : clientIp, 0, frame, ipOffset + 24, 16);
    }

    private void writeTcpHeader(boolean fromClient, int seq, int ack, int flags, int headerLength) {
        putShort(frame, tcpOffset, fromClient ? clientPort : serverPort);
        putShort(frame, tcpOffset + 2, fromClient ? serverPort : clientPort);
        putInt(frame, tcpOffset + 4, seq);
        putInt(frame, tcpOffset + 8, ack);
        frame[tcpOffset + 12] = (byte) ((headerLength / 4) << 4);
        frame[tcpOffset + 13] = (byte) flags;
        putShort(frame, tcpOffset + 14, WINDOW);
        putShort(frame, tcpOffset + 16, 0); // checksum is computed over the segment with this field zero
        putShort(frame, tcpOffset + 18, 0);
        if (headerLength > TCP_HEADER) {
            frame[tcpOffset + 20] = TCP_OPTION_MSS;
            frame[tcpOffset + 21] = MSS_OPTION;
            putShort(frame, tcpOffset + 22, mss);
        }
    }
}
