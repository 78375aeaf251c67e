package dev.loupe.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A message body held while ICAP services look at it: the first {@code memoryLimit} bytes in memory, the
 * rest in a temporary file (created owner-only and, on Linux, unlinked as soon as it is open, so no other
 * process can open it by name and nothing is left behind even after a crash). This is
 * what bounds the heap per message whatever the body size. Written by one thread, then read (any number
 * of times, from any offset) after {@link #finish()}; the hand-over between threads must be a
 * happens-before edge such as an executor submission.
 */
public final class BodySpool implements AutoCloseable {
    private final long memoryLimit;
    private final Path directory;
    private final List<byte[]> memory = new ArrayList<>();
    private long memoryBytes;
    private FileChannel file;
    private long fileLength;
    private long length;
    private boolean finished;

    public BodySpool(long memoryLimit, Path directory) {
        this.memoryLimit = memoryLimit;
        this.directory = directory;
    }

    /** Copies the readable bytes of {@code data} (which the caller still owns). */
    public void append(ByteBuf data) {
        int n = data.readableBytes();
        if (n == 0) {
            return;
        }
        byte[] bytes = new byte[n];
        data.getBytes(data.readerIndex(), bytes);
        append(bytes);
    }

    /** Takes ownership of {@code bytes}. */
    public void append(byte[] bytes) {
        if (finished) {
            throw new IllegalStateException("spool already finished");
        }
        if (bytes.length == 0) {
            return;
        }
        int inMemory = (int) Math.max(0, Math.min(bytes.length, memoryLimit - memoryBytes));
        if (file == null && inMemory == bytes.length) {
            memory.add(bytes);
            memoryBytes += bytes.length;
        } else {
            if (inMemory > 0 && file == null) {
                memory.add(java.util.Arrays.copyOf(bytes, inMemory));
                memoryBytes += inMemory;
            } else {
                inMemory = 0;
            }
            writeToFile(bytes, inMemory);
        }
        length += bytes.length;
    }

    public void finish() {
        finished = true;
    }

    public long length() {
        return length;
    }

    /** Whether part of the body went to disk. */
    public boolean spilled() {
        return file != null;
    }

    /** The first {@code max} bytes (fewer if the body is shorter): used for ICAP previews. */
    public byte[] head(int max) {
        int n = (int) Math.min(max, length);
        byte[] out = new byte[n];
        Reader reader = reader(0);
        int filled = 0;
        while (filled < n) {
            ByteBuf piece = reader.next(n - filled);
            piece.readBytes(out, filled, piece.readableBytes());
            filled = (int) reader.position();
            piece.release();
        }
        return out;
    }

    /** A sequential reader starting at {@code from}. */
    public Reader reader(long from) {
        return new Reader(from);
    }

    private void writeToFile(byte[] bytes, int offset) {
        try {
            if (file == null) {
                Path path = Files.createTempFile(directory, "loupe-spool-", ".body"); // mode 0600 on POSIX
                file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, bytes.length - offset);
            while (buffer.hasRemaining()) {
                fileLength += file.write(buffer, fileLength);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool message body to " + directory, e);
        }
    }

    @Override
    public void close() {
        memory.clear();
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // the file is deleted on close; nothing else to do
            }
        }
    }

    /** Reads the spool in pieces; each piece is a new buffer the caller owns. */
    public final class Reader {
        private long position;
        /** The in-memory part the position is in, and where that part starts: no rescan per piece. */
        private int part;
        private long partStart;

        private Reader(long from) {
            this.position = Math.min(from, length);
        }

        public boolean hasRemaining() {
            return position < length;
        }

        public long position() {
            return position;
        }

        /** Up to {@code max} bytes from the current position. */
        public ByteBuf next(int max) {
            if (position < memoryBytes) {
                while (position - partStart >= memory.get(part).length) {
                    partStart += memory.get(part).length;
                    part++;
                }
                byte[] bytes = memory.get(part);
                int skip = (int) (position - partStart);
                int n = Math.min(max, bytes.length - skip);
                position += n;
                return Unpooled.wrappedBuffer(bytes, skip, n);
            }
            int n = (int) Math.min(max, length - position);
            ByteBuffer buffer = ByteBuffer.allocate(n);
            try {
                long at = position - memoryBytes;
                while (buffer.hasRemaining()) {
                    int read = file.read(buffer, at + buffer.position());
                    if (read < 0) {
                        throw new IOException("spool file shorter than expected");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read spooled body", e);
            }
            buffer.flip();
            position += n;
            return Unpooled.wrappedBuffer(buffer);
        }
    }
}
