package dev.loupe.core.tap;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** What pcap and pcapng writers share: the stream, its file header written first, and the byte count. */
abstract class StreamCaptureWriter implements CaptureWriter {
    protected final OutputStream out;
    protected long bytesWritten;

    /** Writes {@code fileHeader} immediately, so even an empty capture is a valid file. */
    StreamCaptureWriter(OutputStream out, byte[] fileHeader) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        out.write(fileHeader);
        bytesWritten = fileHeader.length;
    }

    @Override
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes and closes the underlying stream. */
    @Override
    public void close() throws IOException {
        try (out) {
            out.flush();
        }
    }
}
