package dev.loupe.gateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Watches the first bytes an origin sends on an HTTP/1.1 connection: an origin that speaks only HTTP/2
 * answers with its connection preface (a SETTINGS frame) whatever ALPN said, and the HTTP/1.1 decoder would
 * then report something about line ends. Marks the channel so the 502 can name the real cause; removes itself
 * after the first read.
 */
final class Http2AnswerDetector extends ChannelInboundHandlerAdapter {
    private static final AttributeKey<Boolean> HTTP2_ANSWER = AttributeKey.valueOf("loupe.http2-answer");
    private static final int FRAME_HEADER = 9;
    private static final byte SETTINGS = 0x04;
    private static final byte GOAWAY = 0x07;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.readableBytes() >= FRAME_HEADER) {
            if (isHttp2Frame(buf)) {
                ctx.channel().attr(HTTP2_ANSWER).set(Boolean.TRUE);
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }

    /** A frame header on stream 0 of a connection-level type, with a length within the default frame size. */
    static boolean isHttp2Frame(ByteBuf buf) {
        int i = buf.readerIndex();
        int length = buf.getUnsignedMedium(i);
        byte type = buf.getByte(i + 3);
        int stream = buf.getInt(i + 5) & 0x7fffffff;
        return (type == SETTINGS || type == GOAWAY) && stream == 0 && length <= 16_384;
    }

    /** Why an origin's answer could not be parsed, naming HTTP/2 when that is what it sent. */
    static String malformedReason(Channel upstream, String decoderMessage) {
        if (upstream != null && Boolean.TRUE.equals(upstream.attr(HTTP2_ANSWER).get())) {
            return "the origin answered in HTTP/2, which it speaks only; it did not agree to http/1.1 by ALPN";
        }
        return decoderMessage;
    }

    /** Whether the session's origin connection is TLS on which the origin selected no ALPN protocol. */
    static boolean choseNoAlpn(dev.loupe.gateway.session.Session session) {
        var tls = session.upstreamTls();
        return tls != null && (tls.alpn() == null || tls.alpn().isEmpty());
    }

    /** Why an origin closed before answering, with the likely cause when it selected no ALPN protocol over TLS. */
    static String closedReason(boolean originChoseNoAlpn) {
        if (originChoseNoAlpn) {
            return "the origin closed the connection before answering; it selected no ALPN protocol when offered "
                    + "http/1.1, as origins that speak only HTTP/2 do";
        }
        return "the origin closed the connection before answering";
    }
}
