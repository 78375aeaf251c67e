package dev.loupe.gateway.http;

import dev.loupe.gateway.pipeline.BodySpool;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Writes a spooled body to a channel as HTTP content, as fast as the channel takes it: pieces go out while
 * the channel is writable, and the write that made it unwritable resumes the pump once it has been
 * flushed (by then the buffer has drained below its high mark). The spool is closed at the end, whatever
 * happens. Runs on the channel's event loop.
 */
final class SpoolPump {
    private static final int PIECE = 64 * 1024;

    private final Channel channel;
    private final BodySpool spool;
    private final BodySpool.Reader reader;
    private final LongConsumer progress;
    private final Consumer<ChannelFuture> done;

    private SpoolPump(Channel channel, BodySpool spool, LongConsumer progress, Consumer<ChannelFuture> done) {
        this.channel = channel;
        this.spool = spool;
        this.reader = spool == null ? null : spool.reader(0);
        this.progress = progress;
        this.done = done;
    }

    /**
     * Writes {@code spool} (null for no body) then the last content; {@code done} gets the last write's
     * future. {@code progress} is told the size of every piece written.
     */
    static void start(Channel channel, BodySpool spool, LongConsumer progress, Consumer<ChannelFuture> done) {
        new SpoolPump(channel, spool, progress, done).pump();
    }

    private void pump() {
        if (!channel.isActive()) {
            finish(channel.newFailedFuture(new java.nio.channels.ClosedChannelException()));
            return;
        }
        ChannelFuture last = null;
        while (reader != null && reader.hasRemaining() && channel.isWritable()) {
            ByteBuf piece;
            try {
                piece = reader.next(PIECE);
            } catch (RuntimeException e) {
                finish(channel.newFailedFuture(e));
                return;
            }
            progress.accept(piece.readableBytes());
            last = channel.write(new DefaultHttpContent(piece));
        }
        if (reader != null && reader.hasRemaining()) {
            if (last == null) {
                // unwritable from the start: an empty piece completes once what is queued ahead has gone
                last = channel.write(new DefaultHttpContent(io.netty.buffer.Unpooled.EMPTY_BUFFER));
            }
            channel.flush();
            last.addListener(f -> {
                if (f.isSuccess()) {
                    pump();
                } else {
                    finish((ChannelFuture) f);
                }
            });
            return;
        }
        finish(channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
    }

    private void finish(ChannelFuture future) {
        if (spool != null) {
            spool.close();
        }
        done.accept(future);
    }
}
