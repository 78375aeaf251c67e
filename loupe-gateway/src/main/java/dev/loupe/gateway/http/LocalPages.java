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
 * where clients download the CA certificate to trust, as PEM or DER, with install steps per system and the
 * fingerprint to check; the PAC file.
 */
public final class LocalPages extends ChannelInboundHandlerAdapter {
    /** The install page: per-OS steps, with the CA's fingerprint filled in (a resource, as written by hand). */
    private static final String INDEX = page();

    private static String page() {
        try (var in = LocalPages.class.getResourceAsStream("ca-page.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("the CA install page is missing from the jar", e);
        }
    }


    private final byte[] caPem;
    private final byte[] caDer;
    private final String fingerprint;
    private final dev.loupe.core.config.PacConfig pac;

    public LocalPages(byte[] caPem, byte[] caDer, String fingerprint, dev.loupe.core.config.PacConfig pac) {
        this.caPem = caPem;
        this.fingerprint = fingerprint;
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
                    INDEX.replace("{{fingerprint}}", fingerprint).getBytes(StandardCharsets.UTF_8), true);
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
