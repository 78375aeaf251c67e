package dev.loupe.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BodySpoolTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheFirstBytesInMemoryAndTheRestOnDiskAndReadsBackExactly() throws Exception {
        byte[] body = new byte[300_000];
        new Random(1).nextBytes(body);
        try (BodySpool spool = new BodySpool(100_000, dir)) {
            for (int off = 0; off < body.length; off += 7_001) {
                int n = Math.min(7_001, body.length - off);
                ByteBuf piece = Unpooled.wrappedBuffer(body, off, n);
                spool.append(piece);
                piece.release();
            }
            spool.finish();
            assertThat(spool.length()).isEqualTo(body.length);
            assertThat(spool.spilled()).isTrue();
            try (var files = Files.list(dir)) {
                // the file is unlinked as soon as it is opened: no name to read it by, nothing left after a crash
                assertThat(files.toList()).isEmpty();
            }
            assertThat(readFrom(spool, 0)).isEqualTo(body);
            assertThat(readFrom(spool, 123_456)).isEqualTo(java.util.Arrays.copyOfRange(body, 123_456, body.length));
            assertThat(spool.head(1024)).isEqualTo(java.util.Arrays.copyOf(body, 1024));
        }
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).as("the file goes with the spool").isEmpty();
        }
    }

    @Test
    void smallBodiesNeverTouchTheDisk() throws Exception {
        try (BodySpool spool = new BodySpool(1024, dir)) {
            spool.append("hello".getBytes());
            spool.finish();
            assertThat(spool.spilled()).isFalse();
            assertThat(readFrom(spool, 0)).isEqualTo("hello".getBytes());
            assertThat(spool.head(1024)).isEqualTo("hello".getBytes());
        }
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    private static byte[] readFrom(BodySpool spool, long from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BodySpool.Reader reader = spool.reader(from);
        while (reader.hasRemaining()) {
            ByteBuf piece = reader.next(10_000);
            byte[] b = new byte[piece.readableBytes()];
            piece.readBytes(b);
            piece.release();
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
