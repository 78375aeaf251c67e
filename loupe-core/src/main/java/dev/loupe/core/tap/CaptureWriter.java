package dev.loupe.core.tap;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;

/**
 * A capture file format behind one API, so a sink can switch between pcap and pcapng by configuration.
 * Implementations are not thread-safe: the sink that owns a writer serializes calls to it.
 */
public interface CaptureWriter extends Closeable, Flushable {

    /** Appends one Ethernet frame stamped with microseconds since the Unix epoch. */
    void write(long timestampMicros, byte[] data, int offset, int length) throws IOException;

    /** Bytes handed to the stream so far, headers included; what size-based rotation compares. */
    long bytesWritten();
}
