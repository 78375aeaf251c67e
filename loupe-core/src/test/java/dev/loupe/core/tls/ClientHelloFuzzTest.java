package dev.loupe.core.tls;

import static dev.loupe.core.tls.ClientHelloFixtures.capture;
import static dev.loupe.core.tls.ClientHelloFixtures.handshakeBytes;
import static dev.loupe.core.tls.ClientHelloFixtures.inRecords;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deterministic mutation fuzzing: whatever a peer sends, the parser must answer with one of its four
 * results, never throw, and never move the caller's buffer.
 */
class ClientHelloFuzzTest {
    private static final int ITERATIONS = 20_000;

    private enum Outcome { COMPLETE, NEED_MORE, NOT_TLS, MALFORMED }

    @Test
    @Timeout(20)
    void mutatedCapturesNeverThrow() {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(0x10CE);
        Map<Outcome, Integer> seen = new EnumMap<>(Outcome.class);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())).clone(), random);
            seen.merge(parseChecked(input, random), 1, Integer::sum);
        }
        assertThat(seen).as("mutations reach every outcome").containsOnlyKeys(Outcome.values());
    }

    @Test
    @Timeout(20)
    void randomBytesNeverThrow() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = new byte[random.nextInt(600)];
            random.nextBytes(input);
            if (input.length >= 6 && random.nextBoolean()) {
                // get past the record header checks so the handshake parser sees the noise
                input[0] = 0x16;
                input[1] = 3;
                input[2] = (byte) random.nextInt(5);
                input[3] = (byte) ((input.length - 5) >> 8);
                input[4] = (byte) (input.length - 5);
                input[5] = 1;
            }
            parseChecked(input, random);
        }
    }

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (String name : ClientHelloFixtures.CAPTURES) {
            byte[] hello = capture(name);
            seeds.add(hello);
            seeds.add(inRecords(handshakeBytes(hello), 100));
            seeds.add(inRecords(handshakeBytes(hello), 7)); // splits headers and length fields across records
        }
        return seeds;
    }

    private static byte[] mutate(byte[] bytes, SplittableRandom random) {
        int flips = 1 + random.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(4)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = (byte) random.nextInt(256);
                case 2 -> bytes[at] = (byte) (random.nextBoolean() ? 0 : 0xff); // extreme length bytes
                default -> {
                    return Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // truncation
                }
            }
        }
        return bytes;
    }

    /** Parses {@code input} placed at a random offset of a larger buffer and checks every invariant. */
    private static Outcome parseChecked(byte[] input, SplittableRandom random) {
        int offset = random.nextInt(8);
        byte[] padded = new byte[offset + input.length + random.nextInt(8)];
        random.nextBytes(padded);
        System.arraycopy(input, 0, padded, offset, input.length);
        ByteBuffer buffer = ByteBuffer.wrap(padded, offset, input.length);

        ClientHelloParse result = ClientHelloParser.parse(buffer);

        assertThat(buffer.position()).isEqualTo(offset);
        assertThat(buffer.limit()).isEqualTo(offset + input.length);
        assertThat(ClientHelloParser.parse(input, 0, input.length)).isEqualTo(result);
        return switch (result) {
            case ClientHelloParse.Complete complete -> {
                assertThat(complete.hello().totalLength()).isBetween(1, input.length);
                yield Outcome.COMPLETE;
            }
            case ClientHelloParse.NeedMore needMore -> Outcome.NEED_MORE;
            case ClientHelloParse.NotTls notTls -> {
                assertThat(notTls.reason()).isNotBlank();
                yield Outcome.NOT_TLS;
            }
            case ClientHelloParse.Malformed malformed -> {
                assertThat(malformed.reason()).isNotBlank();
                yield Outcome.MALFORMED;
            }
        };
    }
}
