package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.icap.IcapProtocolException.Kind;
import java.net.URI;
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
 * Deterministic mutation fuzzing of server bytes: whatever an ICAP server sends, in whatever pieces, the
 * decoder and the exchange logic answer with events, outcomes or an IcapProtocolException, nothing else.
 */
class IcapFuzzTest {
    private static final int ITERATIONS = 20_000;
    private static final byte[] INTERESTING = ascii("\r\n:;= \t0189afAF-\"");
    private static final URI SERVICE = URI.create("icap://fuzz.test/svc");
    private static final byte[] HEAD = ascii("GET / HTTP/1.1\r\n\r\n");

    /** Requests whose exchanges see every decoded head: their rules differ per method and preview. */
    private static final List<IcapRequest> REQUESTS = List.of(IcapRequest.options(SERVICE),
            IcapRequest.builder(IcapMethod.REQMOD, SERVICE).httpRequestHead(HEAD).previewFrom(4, ascii("abcdef"), true)
                    .allow204(true).build(),
            IcapRequest.builder(IcapMethod.RESPMOD, SERVICE).httpResponseHead(ascii("HTTP/1.1 200 OK\r\n\r\n"))
                    .body().allow206(true).build());

    @Test
    @Timeout(10)
    void mutatedServerStreamsOnlyEverFailWithTheProtocolException() {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(0x1CA9);
        Map<Kind, Integer> failures = new EnumMap<>(Kind.class);
        int complete = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random);
            try {
                decodeAndInterpret(input, random, failures);
                complete++;
            } catch (IcapProtocolException e) {
                assertThat(e.offset()).isLessThanOrEqualTo(input.length);
                failures.merge(e.kind(), 1, Integer::sum);
            }
        }
        assertThat(complete).as("some mutations stay valid").isGreaterThan(ITERATIONS / 10);
        assertThat(failures).as("mutations reach the decoder's checks").containsKeys(Kind.BAD_STATUS_LINE,
                Kind.BAD_HEADER, Kind.BAD_ENCAPSULATED, Kind.BAD_HTTP_HEAD, Kind.BAD_CHUNK, Kind.TRUNCATED,
                Kind.UNEXPECTED_RESPONSE);
    }

    @Test
    @Timeout(10)
    void randomBytesOnlyEverFailWithTheProtocolException() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] noise = new byte[random.nextInt(400)];
            random.nextBytes(noise);
            byte[] input = random.nextBoolean() ? noise : concat(ascii("ICAP/1.0 200 OK\r\n"), noise);
            try {
                decodeAndInterpret(input, random, new EnumMap<>(Kind.class));
            } catch (IcapProtocolException expected) {
                assertThat(expected.kind()).isNotNull();
            }
        }
    }

    private static void decodeAndInterpret(byte[] input, SplittableRandom random, Map<Kind, Integer> failures)
            throws IcapProtocolException {
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        List<IcapEvent> events = new ArrayList<>();
        int at = 0;
        while (at < input.length) {
            int length = 1 + random.nextInt(input.length - at);
            decoder.feed(ByteBuffer.wrap(input, at, length), events::add);
            at += length;
        }
        decoder.endOfInput();
        IcapResponseCollector.collect(events, 1 << 20);
        for (IcapEvent event : events) {
            if (event instanceof IcapEvent.Head head) {
                interpret(head.head(), failures);
            }
        }
    }

    /** Each head through each kind of exchange; rejections must be the documented exception. */
    private static void interpret(IcapResponseHead head, Map<Kind, Integer> failures) {
        for (IcapRequest request : REQUESTS) {
            try {
                IcapExchange exchange = new IcapExchange(request);
                exchange.onHead(head);
                exchange.onEnd(new IcapEvent.End(head, IcapHeaders.EMPTY, 0));
                exchange.connectionReusable();
            } catch (IcapProtocolException e) {
                failures.merge(e.kind(), 1, Integer::sum);
            }
        }
    }

    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        IcapTranscripts.ALL.forEach(name -> seeds.add(IcapTranscripts.serverBytes(name)));
        String page = IcapResponseDecoderTest.PAGE_HEAD;
        seeds.add(ascii(IcapResponseDecoderTest.response("ICAP/1.0 206 Partial Content", null, page,
                "7\r\nchanged\r\n0; use-original-body=8\r\nX-T: 1\r\n\r\n")));
        seeds.add(ascii(IcapResponseDecoderTest.response("ICAP/1.0 200 OK", IcapResponseDecoderTest.GET_HEAD, null,
                "3; ieof\r\nabc\r\n0\r\n\r\n")));
        return seeds;
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] bytes = seed.clone();
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && bytes.length > 0; i++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(5)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> bytes = concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes,
                        Math.min(bytes.length, at + 1 + random.nextInt(8)), bytes.length)); // delete
                case 3 -> bytes = concat(Arrays.copyOf(bytes, at + 1), Arrays.copyOfRange(bytes,
                        Math.max(0, at - random.nextInt(16)), bytes.length)); // duplicate a stretch
                default -> bytes = Arrays.copyOf(bytes, at); // truncate
            }
        }
        return bytes;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
