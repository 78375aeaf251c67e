package dev.loupe.core.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON object per line from a background thread. Event loops only enqueue; when the
 * queue is full (the disk cannot keep up) a record is dropped and counted rather than stalling traffic.
 * The writer is never woken per record: it takes what has queued up, writes it in one batch, and sleeps
 * {@link #IDLE_WAIT_NANOS} when there is nothing. Waking it on every record (a blocking poll) cost a futex
 * wake per exchange on the event loop and a context switch on the writer: about a fifth of the gateway's
 * CPU in the keep-alive benchmark (W2), for lines that may as well reach the file 10 ms later.
 */
public final class JsonLinesAccessLog implements AccessLog {
    private static final Logger log = LoggerFactory.getLogger(JsonLinesAccessLog.class);
    private static final Object POISON = new Object();
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int MAX_BATCH = 4096;

    private final JsonFactory json = JsonFactory.builder().build();
    /** The writer thread's batch buffer, kept between batches (only that thread touches it). */
    private final ByteArrayOutputStream lines = new ByteArrayOutputStream(1 << 16);
    private final BlockingQueue<Object> queue;
    private OutputStream out; // replaced by the writer thread only, on reopen or retarget
    private boolean ownsStream;
    /** The file written to, null for a stream; reopened when {@link #reopen} asks (log rotation). */
    private volatile Path file;
    private volatile boolean reopenRequested;
    /** A target a reload asked for ("stdout" or a path), taken up by the writer between batches. */
    private volatile String retargetRequested;
    private final Thread writer;
    private final AtomicLong dropped = new AtomicLong();

    private JsonLinesAccessLog(OutputStream out, boolean ownsStream, int capacity) {
        this(out, ownsStream, capacity, null);
    }

    private JsonLinesAccessLog(OutputStream out, boolean ownsStream, int capacity, Path file) {
        this.out = out;
        this.file = file;
        this.ownsStream = ownsStream;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofPlatform().daemon().name("loupe-access-log").unstarted(this::drain);
        writer.start();
    }

    public static JsonLinesAccessLog toStdout(int capacity) {
        return new JsonLinesAccessLog(System.out, false, capacity);
    }

    /** To a stream the caller keeps (it is not closed with the log). */
    public static JsonLinesAccessLog to(OutputStream out, int capacity) {
        return new JsonLinesAccessLog(out, false, capacity);
    }

    public static JsonLinesAccessLog toFile(Path file, int capacity) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new JsonLinesAccessLog(open(file), true, capacity, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open access log " + file, e);
        }
    }

    private static OutputStream open(Path file) throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
    }

    /**
     * Asks the writer to close the file and open it again by name, so that records go to a new file once the
     * old one was moved away (logrotate's {@code postrotate kill -USR1}); records queued meanwhile are kept.
     */
    @Override
    public void reopen() {
        if (file != null) {
            reopenRequested = true;
            LockSupport.unpark(writer);
        }
    }

    @Override
    public void retarget(String target) {
        retargetRequested = target;
        LockSupport.unpark(writer);
    }

    private void retargetIfAsked() {
        String target = retargetRequested;
        if (target == null) {
            return;
        }
        retargetRequested = null;
        try {
            OutputStream next;
            Path nextFile = null;
            if (target.equals("stdout")) {
                next = System.out;
            } else {
                nextFile = Path.of(target);
                Path parent = nextFile.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                next = open(nextFile);
            }
            out.flush();
            if (ownsStream) {
                out.close();
            }
            out = next;
            ownsStream = nextFile != null;
            file = nextFile;
            log.info("access log now written to {}", target);
        } catch (IOException e) {
            log.warn("access log cannot be written to {}, still writing to the old target: {}", target, e.toString());
        }
    }

    private void reopenIfAsked() {
        retargetIfAsked();
        if (!reopenRequested) {
            return;
        }
        reopenRequested = false;
        try {
            OutputStream next = open(file);
            out.close();
            out = next;
            log.info("access log reopened: {}", file);
        } catch (IOException e) {
            // keep writing to the old file rather than lose records
            log.warn("access log {} could not be reopened, still writing to the old file: {}", file, e.toString());
        }
    }

    @Override
    public void connection(ConnectionRecord record) {
        offer(record);
    }

    @Override
    public void exchange(ExchangeRecord record) {
        offer(record);
    }

    public long dropped() {
        return dropped.get();
    }

    private void offer(Object record) {
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        List<Object> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            reopenIfAsked();
            if (queue.drainTo(batch, MAX_BATCH) == 0) {
                LockSupport.parkNanos(this, IDLE_WAIT_NANOS);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                continue;
            }
            if (writeBatch(batch)) {
                return;
            }
            batch.clear();
        }
    }

    /** Returns true when the poison pill was seen (close requested). */
    private boolean writeBatch(List<Object> batch) {
        boolean stop = false;
        lines.reset();
        try (JsonGenerator g = json.createGenerator(lines)) {
            g.setRootValueSeparator(null);
            for (Object record : batch) {
                if (record == POISON) {
                    stop = true;
                    continue;
                }
                AccessLogJson.write(g, record);
                g.writeRaw('\n');
            }
        } catch (IOException | RuntimeException e) {
            // into memory, so only a bug gets here: say so and keep the lines made before it
            log.warn("access log batch could not be encoded: {}", e.toString());
        }
        try {
            lines.writeTo(out);
            out.flush();
        } catch (IOException e) {
            log.warn("access log write failed: {}", e.toString());
        }
        return stop;
    }

    @Override
    public void close() {
        try {
            queue.put(POISON);
            LockSupport.unpark(writer);
            writer.join(5_000);
            if (ownsStream) {
                out.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("access log close failed: {}", e.toString());
        }
    }
}
