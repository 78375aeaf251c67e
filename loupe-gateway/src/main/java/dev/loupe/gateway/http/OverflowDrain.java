package dev.loupe.gateway.http;

import dev.loupe.gateway.pipeline.BodySpool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The start of a response that outgrew every stage's limit, held while the stages might still have wanted it:
 * written to the client as fast as it reads, with whatever the origin sends meanwhile queued behind it (in the
 * same spool, on disk past its memory share), so the bytes stay in order. Once caught up, the rest streams.
 */
final class OverflowDrain {
    private static final int PIECE = 64 * 1024;

    private final Channel client;
    private final BodySpool spool;
    private final BodySpool.Reader reader;
    private final Exchange exchange;
    private boolean lastSeen;

    OverflowDrain(Channel client, BodySpool spool, Exchange exchange, boolean lastSeen) {
        this.client = client;
        this.spool = spool;
        this.reader = spool.reader(0);
        this.exchange = exchange;
        this.lastSeen = lastSeen;
    }

    /** More of the response arrived while the held part is still going out. */
    void append(HttpContent content) {
        spool.append(content.content());
        lastSeen |= content instanceof LastHttpContent;
        content.release();
    }

    /** Whether the whole response is in the spool: the upstream closing now loses nothing. */
    boolean complete() {
        return lastSeen;
    }

    /**
     * Writes what the client can take; {@code done} runs once everything held is written, with whether that was
     * the whole response, or null when the client went away (the spool is let go).
     */
    void pump(java.util.function.Consumer<Boolean> done) {
        if (!client.isActive()) {
            spool.close();
            done.accept(null);
            return;
        }
        ChannelFuture last = null;
        while (reader.hasRemaining() && client.isWritable()) {
            ByteBuf piece = reader.next(PIECE);
            exchange.responseBytes += piece.readableBytes();
            last = client.write(new DefaultHttpContent(piece));
        }
        if (reader.hasRemaining()) {
            if (last == null) {
                last = client.write(new DefaultHttpContent(Unpooled.EMPTY_BUFFER));
            }
            client.flush();
            last.addListener(f -> pump(done));
            return;
        }
        spool.close();
        done.accept(lastSeen);
    }
}
