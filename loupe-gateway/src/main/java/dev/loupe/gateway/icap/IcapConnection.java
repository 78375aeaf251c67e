package dev.loupe.gateway.icap;

import dev.loupe.core.icap.IcapEvent;
import dev.loupe.core.icap.IcapProtocolException;
import dev.loupe.core.icap.IcapResponseDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.ByteBuffer;

/**
 * One persistent connection to an ICAP server: feeds the server's bytes to a decoder and the decoder's
 * events to the transaction in progress (one at a time, as RFC 3507 clients do). Thin on purpose: the
 * protocol state lives in {@link IcapTransaction} and the core codec.
 */
final class IcapConnection extends ChannelInboundHandlerAdapter {
    private final IcapServer server;
    private final IcapResponseDecoder decoder = new IcapResponseDecoder();
    private Channel channel;
    private IcapTransaction current;
    private boolean closed;

    IcapConnection(IcapServer server) {
        this.server = server;
    }

    Channel channel() {
        return channel;
    }

    IcapServer server() {
        return server;
    }

    boolean usable() {
        return !closed && channel != null && channel.isActive() && decoder.isBetweenResponses();
    }

    void start(IcapTransaction transaction) {
        this.current = transaction;
        transaction.begin(this);
    }

    /** The transaction is over; the connection goes back to the pool or is closed. */
    void finished(boolean reusable) {
        current = null;
        if (!reusable || !usable()) {
            close();
        }
        server.released(this, reusable && usable());
    }

    void close() {
        closed = true;
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (current == null) {
                // bytes with no request outstanding: the stream is out of step, never trust it again
                close();
                return;
            }
            for (ByteBuffer nio : buf.nioBuffers()) {
                IcapTransaction tx = current;
                decoder.feed(nio, event -> deliver(tx, event));
            }
        } catch (IcapProtocolException e) {
            fail("protocol error: " + e.getMessage());
        } finally {
            buf.release();
        }
    }

    private void deliver(IcapTransaction tx, IcapEvent event) {
        if (current == tx) {
            tx.onEvent(event);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null && ctx.channel().isWritable()) {
            current.writable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (current != null) {
            try {
                decoder.endOfInput();
                fail("the server closed the connection");
            } catch (IcapProtocolException e) {
                fail("the server closed the connection mid-answer");
            }
        }
        server.connectionClosed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(dev.loupe.gateway.relay.Failures.describe(cause));
        close();
    }

    private void fail(String reason) {
        IcapTransaction tx = current;
        if (tx != null) {
            tx.fail(reason);
        }
    }
}
