package dev.loupe.gateway.mirror;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.io.IOException;

/**
 * A Linux AF_PACKET raw socket bound to one interface, for writing whole Ethernet frames (the
 * software "mirror port"). JNA calls libc directly; the JDK has no packet sockets.
 */
final class AfPacketSocket implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL = 0x0003;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;

    static {
        Native.register("c");
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native int bind(int fd, SockaddrLl address, int length) throws LastErrorException;

    private static native long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    private static native int if_nametoindex(String name);

    /** struct sockaddr_ll from linux/if_packet.h */
    @Structure.FieldOrder({"sll_family", "sll_protocol", "sll_ifindex", "sll_hatype", "sll_pkttype", "sll_halen",
            "sll_addr"})
    public static final class SockaddrLl extends Structure {
        public short sll_family;
        public short sll_protocol;
        public int sll_ifindex;
        public short sll_hatype;
        public byte sll_pkttype;
        public byte sll_halen;
        public byte[] sll_addr = new byte[8];
    }

    private final String name;
    private final int fd;
    private byte[] scratch = new byte[2048];

    AfPacketSocket(String interfaceName) throws IOException {
        this.name = interfaceName;
        int index = if_nametoindex(interfaceName);
        if (index == 0) {
            throw new IOException("mirror interface '" + interfaceName + "' does not exist");
        }
        try {
            this.fd = socket(AF_PACKET, SOCK_RAW, Short.toUnsignedInt(htons(ETH_P_ALL)));
        } catch (LastErrorException e) {
            throw new IOException("cannot open a packet socket for '" + interfaceName
                    + "' (needs root or CAP_NET_RAW): errno " + e.getErrorCode(), e);
        }
        SockaddrLl address = new SockaddrLl();
        address.sll_family = AF_PACKET;
        address.sll_protocol = htons(ETH_P_ALL);
        address.sll_ifindex = index;
        address.write();
        try {
            bind(fd, address, address.size());
        } catch (LastErrorException e) {
            close(fd);
            throw new IOException("cannot bind a packet socket to '" + interfaceName + "': errno " + e.getErrorCode(), e);
        }
    }

    /** Sends one frame without blocking; false when the kernel queue is full (the caller counts a drop). */
    boolean send(byte[] data, int offset, int length) throws IOException {
        byte[] frame = data;
        if (offset != 0) {
            if (scratch.length < length) {
                scratch = new byte[length];
            }
            System.arraycopy(data, offset, scratch, 0, length);
            frame = scratch;
        }
        try {
            send(fd, frame, length, MSG_DONTWAIT);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN || e.getErrorCode() == ENOBUFS) {
                return false;
            }
            throw new IOException("send on '" + name + "' failed: errno " + e.getErrorCode(), e);
        }
    }

    private static short htons(int value) {
        return (short) (((value & 0xff) << 8) | ((value >> 8) & 0xff));
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        close(fd);
    }

}
