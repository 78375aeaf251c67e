package dev.loupe.core.tap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Minimal test-side readers for the two capture formats, to round-trip what the writers produce. */
final class CaptureFiles {

    private CaptureFiles() {
    }

    static List<Frame> readPcap(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(in.getInt()).isEqualTo(0xA1B2C3D4);
        in.position(24);
        List<Frame> frames = new ArrayList<>();
        while (in.hasRemaining()) {
            long seconds = Integer.toUnsignedLong(in.getInt());
            long micros = Integer.toUnsignedLong(in.getInt());
            int captured = in.getInt();
            assertThat(in.getInt()).as("original length").isEqualTo(captured);
            byte[] data = new byte[captured];
            in.get(data);
            frames.add(new Frame(seconds * 1_000_000 + micros, data));
        }
        return frames;
    }

    static List<Frame> readPcapNg(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Frame> frames = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            int type = in.getInt();
            int length = in.getInt();
            assertThat(length % 4).as("block length is a multiple of 4").isZero();
            assertThat(in.getInt(start + length - 4)).as("trailing block length").isEqualTo(length);
            if (type == 6) {
                assertThat(in.getInt()).as("interface id").isZero();
                long timestamp = (Integer.toUnsignedLong(in.getInt()) << 32) | Integer.toUnsignedLong(in.getInt());
                int captured = in.getInt();
                assertThat(in.getInt()).as("original length").isEqualTo(captured);
                byte[] data = new byte[captured];
                in.get(data);
                for (int pad = start + 28 + captured; pad < start + length - 4; pad++) {
                    assertThat(in.get(pad)).as("padding byte").isZero();
                }
                frames.add(new Frame(timestamp, data));
            }
            in.position(start + length);
        }
        return frames;
    }
}
