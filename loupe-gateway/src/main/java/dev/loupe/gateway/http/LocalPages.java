package dev.loupe.gateway.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import dev.loupe.core.http.ProxyAutoConfig;
import java.nio.charset.StandardCharsets;

/**
 * Loupe's own pages on the proxy port (requests in origin form, i.e. not proxy requests): the page
 * where clients download the CA certificate to trust, as PEM or DER.
 */
public final class LocalPages extends ChannelInboundHandlerAdapter {
    private static final String INDEX = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Loupe CA certificate</title></head>
            <body><h1>Loupe inspection gateway</h1>
            <p>This network inspects encrypted traffic. To browse without certificate warnings,
            install the Loupe CA certificate as a trusted root:</p>
            <ul><li><a href="/loupe-ca.pem">loupe-ca.pem</a> (PEM: Linux, Firefox, curl --cacert)</li>
            <li><a href="/loupe-ca.crt">loupe-ca.crt</a> (DER: Windows, macOS, Android)</li></ul>
            <p>Browsers can find this gateway (and fail over between its nodes) with the automatic proxy
            configuration URL <a href="/proxy.pac">/proxy.pac</a>.</p>
            </body></html>
            """;

    private final byte[] caPem;
    private final byte[] caDer;
    private final dev.loupe.core.config.PacConfig pac;

    public LocalPages(byte[] caPem, byte[] caDer, dev.loupe.core.config.PacConfig pac) {
        this.caPem = caPem;
        this.caDer = caDer;
        this.pac = pac;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                ctx.writeAndFlush(respond(request.uri(), request.headers().get(
                        io.netty.handler.codec.http.HttpHeaderNames.HOST), ctx)).addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private FullHttpResponse respond(String uri, String host, ChannelHandlerContext ctx) {
        String path = uri.contains("?") ? uri.substring(0, uri.indexOf('?')) : uri;
        return switch (path) {
            case "/proxy.pac", "/wpad.dat" -> pacFile(host, ctx);
            case "/" -> HttpResponses.full(HttpResponseStatus.OK, "text/html; charset=utf-8",
                    INDEX.getBytes(StandardCharsets.UTF_8), true);
            case "/loupe-ca.pem" -> HttpResponses.full(HttpResponseStatus.OK, "application/x-pem-file", caPem, true);
            case "/loupe-ca.crt" -> HttpResponses.full(HttpResponseStatus.OK, "application/x-x509-ca-cert", caDer, true);
            default -> HttpResponses.full(HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    ("not found: " + path + "\nThis is a proxy; send proxy requests with an absolute URI.\n")
                            .getBytes(StandardCharsets.UTF_8), true);
        };
    }

    private FullHttpResponse pacFile(String host, ChannelHandlerContext ctx) {
        String fetchedFrom = host;
        if (!ProxyAutoConfig.safeHostPort(fetchedFrom)) {
            var local = (java.net.InetSocketAddress) ctx.channel().localAddress();
            fetchedFrom = local.getAddress().getHostAddress() + ":" + local.getPort();
        } else if (!fetchedFrom.contains(":") || fetchedFrom.endsWith("]")) {
            fetchedFrom = fetchedFrom + ":" + ((java.net.InetSocketAddress) ctx.channel().localAddress()).getPort();
        }
        return HttpResponses.full(HttpResponseStatus.OK, ProxyAutoConfig.CONTENT_TYPE,
                ProxyAutoConfig.script(pac, fetchedFrom).getBytes(StandardCharsets.US_ASCII), true);
    }
}
