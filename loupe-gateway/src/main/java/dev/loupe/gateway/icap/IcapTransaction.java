package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import dev.loupe.core.icap.HttpHead;
import dev.loupe.core.icap.IcapEvent;
import dev.loupe.core.icap.IcapExchange;
import dev.loupe.core.icap.IcapOptions;
import dev.loupe.core.icap.IcapOutcome;
import dev.loupe.core.icap.IcapProtocolException;
import dev.loupe.core.icap.IcapRequest;
import dev.loupe.core.icap.IcapRequestBuilder;
import dev.loupe.core.icap.IcapRequestEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One ICAP request and its answer on one connection. The body is written from the spool for as long as
 * the server reads it, whether or not it has answered yet (a scanner may answer only after the last
 * byte); an answer that arrives first stops the writing. Confined to its connection's event loop.
 */
final class IcapTransaction {
    private static final IcapRequestEncoder ENCODER = new IcapRequestEncoder();
    private static final int PIECE = 64 * 1024;
    private static final int MAX_PREVIEW = 64 * 1024;

    private final IcapJob job;
    private final URI service;
    private final IcapOptions options;
    private final Integer previewOverride;
    private final Duration timeout;
    private final long spoolMemory;
    private final Path spoolDirectory;
    private final Consumer<TransactionResult> done;
    private IcapConnection connection;
    private IcapExchange exchange;
    private BodySpool.Reader sending;
    private IcapOutcome outcome;
    private BodySpool adaptedBody;
    private ScheduledFuture<?> timer;
    private boolean over;

    IcapTransaction(IcapJob job, URI service, IcapOptions options, Integer previewOverride, Duration timeout,
                    long spoolMemory, Path spoolDirectory, Consumer<TransactionResult> done) {
        this.job = job;
        this.service = service;
        this.options = options;
        this.previewOverride = previewOverride;
        this.timeout = timeout;
        this.spoolMemory = spoolMemory;
        this.spoolDirectory = spoolDirectory;
        this.done = done;
    }

    static IcapTransaction options(URI service, Duration timeout, Consumer<TransactionResult> done) {
        return new IcapTransaction(null, service, null, null, timeout, 0, null, done);
    }

    void begin(IcapConnection connection) {
        this.connection = connection;
        Channel channel = connection.channel();
        timer = channel.eventLoop().schedule(() -> {
            fail("no complete answer within " + timeout.toMillis() + " ms");
            connection.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        IcapRequest request;
        try {
            request = job == null ? IcapRequest.options(service) : build();
        } catch (RuntimeException e) {
            fail("cannot build request: " + e.getMessage());
            return;
        }
        exchange = new IcapExchange(request);
        channel.write(Unpooled.wrappedBuffer(ENCODER.head(request)), channel.voidPromise());
        if (exchange.shouldSendBody()) {
            sendBody(0);
        } else {
            channel.flush();
        }
    }

    private IcapRequest build() {
        IcapRequestBuilder builder = IcapRequest.builder(job.method(), service);
        job.headers().fields().forEach(f -> builder.header(f.name(), f.value()));
        if (job.requestHead() != null) {
            builder.httpRequestHead(job.requestHead());
        }
        if (job.responseHead() != null) {
            builder.httpResponseHead(job.responseHead());
        }
        builder.allow204(true).allow206(options.allow206());
        if (job.hasBody()) {
            Integer preview = previewOverride != null ? previewOverride : options.preview();
            if (preview != null) {
                preview = Math.min(preview, MAX_PREVIEW); // the server must not decide how much we hold in memory
            }
            if (preview != null && options.shouldPreview(job.extension())) {
                // ieof only when the preview really is the whole body
                builder.previewFrom(preview, job.body().head(preview), job.body().length() <= preview);
            } else {
                builder.body();
            }
        }
        return builder.build();
    }

    private void sendBody(long from) {
        sending = job.body().reader(from);
        writable();
    }

    /** Writes body pieces while the connection can take them; resumed by writability changes. */
    void writable() {
        if (sending == null || over) {
            return;
        }
        Channel channel = connection.channel();
        while (sending.hasRemaining() && channel.isWritable()) {
            ByteBuf piece = sending.next(PIECE);
            channel.write(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(ENCODER.chunkHeader(piece.readableBytes())),
                    piece, Unpooled.wrappedBuffer(ENCODER.chunkEnd())), channel.voidPromise());
        }
        if (!sending.hasRemaining()) {
            channel.write(Unpooled.wrappedBuffer(ENCODER.lastChunk()), channel.voidPromise());
            sending = null;
            exchange.bodySent();
        }
        channel.flush();
    }

    void onEvent(IcapEvent event) {
        if (over) {
            return;
        }
        try {
            switch (event) {
                case IcapEvent.Head head -> onHead(head);
                case IcapEvent.BodyData data -> {
                    if (adaptedBody != null) {
                        adaptedBody.append(data.bytes());
                    }
                }
                case IcapEvent.End end -> onEnd(end);
            }
        } catch (IcapProtocolException e) {
            if (!over) {
                fail("protocol error: " + e.getMessage());
                connection.close();
            }
        } catch (RuntimeException e) {
            if (!over) {
                fail("cannot handle answer: " + e);
                connection.close();
            }
        }
    }

    private void onHead(IcapEvent.Head head) throws IcapProtocolException {
        IcapOutcome o = exchange.onHead(head.head());
        if (o instanceof IcapOutcome.Continue) {
            sendBody(exchange.request().previewLength());
            return;
        }
        outcome = o;
        sending = null; // an answer ends the body, early or not
        if ((o instanceof IcapOutcome.Modified || o instanceof IcapOutcome.Satisfied
                || o instanceof IcapOutcome.PartialContent) && head.head().hasBody()) {
            adaptedBody = new BodySpool(spoolMemory, spoolDirectory);
        }
    }

    private void onEnd(IcapEvent.End end) throws IcapProtocolException {
        exchange.onEnd(end);
        if (end.head().status() == 100) {
            return;
        }
        TransactionResult result = switch (outcome) {
            case IcapOutcome.Options o -> new TransactionResult.Options(o.options());
            case IcapOutcome.Unmodified u -> new TransactionResult.Unmodified();
            case IcapOutcome.Modified m -> adapted(m.head(), m.message(), false);
            case IcapOutcome.Satisfied s -> adapted(s.head(), s.response(), true);
            case IcapOutcome.PartialContent p -> {
                if (adaptedBody == null) {
                    adaptedBody = new BodySpool(spoolMemory, spoolDirectory);
                }
                BodySpool.Reader rest = job.body().reader(end.useOriginalBodyFrom());
                while (rest.hasRemaining()) {
                    ByteBuf piece = rest.next(PIECE);
                    adaptedBody.append(piece);
                    piece.release();
                }
                yield adapted(p.head(), p.message(), false);
            }
            case IcapOutcome.ErrorStatus e -> new TransactionResult.Failed("ICAP " + e.code() + " " + e.reason());
            case IcapOutcome.Continue c -> throw new IllegalStateException("Continue cannot end an exchange");
        };
        adaptedBody = null; // handed over (or never made)
        complete(result, exchange.connectionReusable());
    }

    private TransactionResult adapted(dev.loupe.core.icap.IcapResponseHead icap, HttpHead head, boolean satisfied) {
        if (adaptedBody != null) {
            adaptedBody.finish();
        }
        return new TransactionResult.Adapted(icap, head, adaptedBody, satisfied);
    }

    void fail(String reason) {
        if (adaptedBody != null) {
            adaptedBody.close();
            adaptedBody = null;
        }
        complete(new TransactionResult.Failed(reason), false);
    }

    private void complete(TransactionResult result, boolean reusable) {
        if (over) {
            return;
        }
        over = true;
        sending = null;
        if (timer != null) {
            timer.cancel(false);
        }
        connection.finished(reusable);
        try {
            done.accept(result);
        } catch (RuntimeException e) {
            // the connection is back in the pool: a failure past this point is not this transaction's
            org.slf4j.LoggerFactory.getLogger(IcapTransaction.class).error("ICAP result handling failed", e);
        }
    }
}
