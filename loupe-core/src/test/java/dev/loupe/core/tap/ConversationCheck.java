package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Replays synthesized frames the way a passive analyser does and asserts TCP's invariants on each: valid
 * checksums, every segment starting where its direction left off, every ACK naming the peer's next
 * sequence number, and never a full receive window in flight. Collects each direction's payload.
 */
final class ConversationCheck {
    private static final long MOD = 1L << 32;
    private static final int SYN = 0x02;
    private static final int FIN = 0x01;
    private static final int ACK = 0x10;

    final ByteArrayOutputStream clientBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream serverBytes = new ByteArrayOutputStream();
    private final int clientPort;
    private long clientNext = -1;
    private long serverNext = -1;
    private long clientAcked = -1;
    private long serverAcked = -1;

    private ConversationCheck(int clientPort) {
        this.clientPort = clientPort;
    }

    static ConversationCheck of(List<Frame> frames, int clientPort) {
        ConversationCheck check = new ConversationCheck(clientPort);
        frames.stream().map(DecodedFrame::parse).forEach(check::accept);
        return check;
    }

    private void accept(DecodedFrame frame) {
        if (!frame.ipv6()) {
            assertThat(frame.ipv4ChecksumValid()).as("IPv4 header checksum").isTrue();
        }
        assertThat(frame.tcpChecksumValid()).as("TCP checksum").isTrue();
        boolean fromClient = frame.srcPort() == clientPort;
        long expected = fromClient ? clientNext : serverNext;
        if ((frame.flags() & SYN) == 0) {
            assertThat(frame.seq()).as("seq continues where its direction left off").isEqualTo(expected);
        }
        if ((frame.flags() & ACK) != 0) {
            assertThat(frame.ack()).as("ack names the peer's next seq").isEqualTo(fromClient ? serverNext : clientNext);
        }
        long advance = frame.payloadLength() + ((frame.flags() & (SYN | FIN)) != 0 ? 1 : 0);
        long next = (frame.seq() + advance) % MOD;
        (fromClient ? clientBytes : serverBytes).writeBytes(frame.payload());
        if (fromClient) {
            clientNext = next;
            serverAcked = (frame.flags() & ACK) != 0 ? frame.ack() : serverAcked;
        } else {
            serverNext = next;
            clientAcked = (frame.flags() & ACK) != 0 ? frame.ack() : clientAcked;
        }
        long inFlight = fromClient ? (clientNext - clientAcked + MOD) % MOD : (serverNext - serverAcked + MOD) % MOD;
        if ((fromClient ? clientAcked : serverAcked) >= 0) {
            assertThat(inFlight).as("bytes in flight stay below the 65535 window").isLessThan(65_535);
        }
    }

    long clientNext() {
        return clientNext;
    }

    long serverNext() {
        return serverNext;
    }
}
