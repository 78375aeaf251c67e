package dev.loupe.core.icap;

import static dev.loupe.core.icap.IcapTranscripts.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** However TCP cuts the server's bytes, the decoded responses are the same. */
class IcapFragmentationTest {

    static List<String> transcripts() {
        return IcapTranscripts.ALL;
    }

    @ParameterizedTest
    @MethodSource("transcripts")
    void everySplitPointGivesTheSameResponses(String name) throws Exception {
        byte[] stream = IcapTranscripts.serverBytes(name);
        List<IcapResponse> whole = IcapResponseTranscriptTest.decode(name);
        for (int split = 0; split <= stream.length; split++) {
            assertThat(decodeInPieces(stream, 0, split, stream.length)).as("split at %d", split).isEqualTo(whole);
        }
    }

    @ParameterizedTest
    @MethodSource("transcripts")
    void byteByByteAndRandomCutsGiveTheSameResponses(String name) throws Exception {
        byte[] stream = IcapTranscripts.serverBytes(name);
        List<IcapResponse> whole = IcapResponseTranscriptTest.decode(name);
        int[] everyByte = new int[stream.length + 1];
        for (int i = 0; i <= stream.length; i++) {
            everyByte[i] = i;
        }
        assertThat(decodeInPieces(stream, everyByte)).isEqualTo(whole);

        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int round = 0; round < 200; round++) {
            int[] cuts = random.ints(2 + random.nextInt(6), 0, stream.length + 1).sorted().toArray();
            int[] points = new int[cuts.length + 2];
            System.arraycopy(cuts, 0, points, 1, cuts.length);
            points[points.length - 1] = stream.length;
            assertThat(decodeInPieces(stream, points)).isEqualTo(whole);
        }
    }

    @Test
    void bodyIsStreamedAsItArrivesNotWhenComplete() throws Exception {
        byte[] stream = IcapTranscripts.serverBytes("icap-cicapclient-2");
        int bodyStart = ascii(stream).indexOf("1c9\r\n") + 5;
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        decoder.feed(ByteBuffer.wrap(stream, 0, bodyStart + 100));

        List<IcapEvent> next = decoder.feed(ByteBuffer.wrap(stream, bodyStart + 100, 50));
        assertThat(next).singleElement().isInstanceOfSatisfying(IcapEvent.BodyData.class,
                data -> assertThat(data.bytes()).isEqualTo(Arrays.copyOfRange(stream, bodyStart + 100,
                        bodyStart + 150)));
        assertThat(decoder.isBetweenResponses()).isFalse();

        List<IcapEvent> rest = decoder.feed(ByteBuffer.wrap(stream, bodyStart + 150, stream.length - bodyStart - 150));
        assertThat(rest.getLast()).isInstanceOf(IcapEvent.End.class);
        assertThat(decoder.isBetweenResponses()).isTrue();
        assertThat(decoder.position()).isEqualTo(stream.length);
    }

    @Test
    void feedConsumesTheWholeBufferFromItsPosition() throws Exception {
        byte[] stream = IcapTranscripts.serverBytes("icap-cicapclient-1");
        ByteBuffer padded = ByteBuffer.allocate(stream.length + 7);
        padded.position(7);
        padded.put(stream).position(7);
        List<IcapEvent> events = new IcapResponseDecoder().feed(padded);
        assertThat(padded.hasRemaining()).isFalse();
        assertThat(events).filteredOn(IcapEvent.End.class::isInstance).hasSize(2);
    }

    /** Decodes {@code stream[points[i], points[i+1])} piece by piece, each in a fresh read-only buffer. */
    private static List<IcapResponse> decodeInPieces(byte[] stream, int... points) throws IcapProtocolException {
        IcapResponseDecoder decoder = new IcapResponseDecoder();
        List<IcapEvent> events = new ArrayList<>();
        for (int i = 0; i + 1 < points.length; i++) {
            ByteBuffer piece = ByteBuffer.wrap(stream, points[i], points[i + 1] - points[i]).asReadOnlyBuffer();
            decoder.feed(piece, events::add);
            assertThat(piece.hasRemaining()).isFalse();
        }
        decoder.endOfInput();
        return IcapResponseCollector.collect(events, 1 << 20);
    }
}
