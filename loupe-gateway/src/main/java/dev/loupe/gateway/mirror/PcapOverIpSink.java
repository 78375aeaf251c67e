package dev.loupe.gateway.mirror;

import dev.loupe.core.config.MirrorSinkConfig;
import dev.loupe.core.tap.FlowEndpoints;
import dev.loupe.core.tap.PcapWriter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PCAP-over-IP: every reader that connects gets a pcap global header, then each frame as it is
 * synthesized (the convention of PolarProxy and NetworkMiner, port 57012). A reader that falls
 * behind by more than its buffer loses whole frames, counted; it never slows the others or the gateway.
 */
final class PcapOverIpSink implements MirrorSink {
    private static final Logger log = LoggerFactory.getLogger(PcapOverIpSink.class);

    private final Channel server;
    private final ChannelGroup readers;
    /** Scratch for record headers; only the mirror thread calls {@link #frame}. */
    private final java.nio.ByteBuffer recordHeader = java.nio.ByteBuffer.allocate(16);
    private volatile long written;
    private volatile long dropped;

    private final MirrorSinkConfig config;

    private PcapOverIpSink(MirrorSinkConfig config, Channel server, ChannelGroup readers) {
        this.config = config;
        this.server = server;
        this.readers = readers;
    }

    static PcapOverIpSink start(MirrorSinkConfig config, EventLoopGroup loops,
                                Class<? extends ServerChannel> serverChannel) throws InterruptedException {
        ChannelGroup readers = new DefaultChannelGroup("pcap-over-ip", GlobalEventExecutor.INSTANCE);
        int buffer = (int) Math.min(Integer.MAX_VALUE, config.bufferBytes());
        Channel server = new ServerBootstrap().group(loops).channel(serverChannel)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(buffer / 2, buffer))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                log.info("pcap-over-ip reader connected from {}", ctx.channel().remoteAddress());
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(PcapWriter.globalHeader()))
                                        .addListener(f -> readers.add(ctx.channel()));
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg); // readers only read
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(config.address(), config.port()).sync().channel();
        log.info("pcap-over-ip mirror listening on {}", server.localAddress());
        return new PcapOverIpSink(config, server, readers);
    }

    @Override
    public void frame(FlowEndpoints flow, long ts, byte[] data, int off, int len) {
        if (readers.isEmpty()) {
            return;
        }
        int captured = PcapWriter.recordHeader(recordHeader, ts, len);
        ByteBuf record = ByteBufAllocator.DEFAULT.buffer(16 + captured);
        record.writeBytes(recordHeader.array(), 0, 16).writeBytes(data, off, captured);
        try {
            for (Channel reader : readers) {
                if (reader.isWritable()) {
                    reader.writeAndFlush(record.retainedDuplicate(), reader.voidPromise());
                    written++;
                } else {
                    dropped++;
                }
            }
        } finally {
            record.release();
        }
    }

    java.net.SocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public MirrorSinkConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "pcap-over-ip:" + server.localAddress();
    }

    @Override
    public long framesWritten() {
        return written;
    }

    @Override
    public long framesDropped() {
        return dropped;
    }

    @Override
    public void close() {
        // bounded: after the event loops have shut down (the gateway closes the mirror last, so that the final
        // events are written) a close future whose loop is gone may never complete
        server.close().awaitUninterruptibly(2_000);
        readers.close().awaitUninterruptibly(2_000);
    }
}
