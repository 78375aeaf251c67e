package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.trust.CertificateVerdict;
import dev.loupe.gateway.GatewayServices;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.security.cert.CertificateException;
import java.util.concurrent.TimeUnit;

/**
 * Opens a TLS connection to an origin and validates its certificate as the interception path does
 * (browser-grade: chain, name, strength); the future fails with the problem when the origin is not
 * trusted. For traffic Loupe originates itself, e.g. requests coming back from an inline device.
 */
public final class TlsOriginConnector {
    private final GatewayServices services;

    public TlsOriginConnector(GatewayServices services) {
        this.services = services;
    }

    /** Connects on {@code client}'s event loop; the channel comes back with reads off. */
    public Future<Channel> connect(Channel client, Origin origin, String serverName) {
        Promise<Channel> promise = client.eventLoop().newPromise();
        services.connector().connect(client, origin).addListener(connected -> {
            if (!connected.isSuccess()) {
                promise.tryFailure(connected.cause());
                return;
            }
            Channel upstream = ((io.netty.channel.ChannelFuture) connected).channel();
            String name = serverName != null ? serverName : origin.host();
            SslHandler tls = services.tls().upstream().newHandler(upstream.alloc(), name, origin.port());
            tls.setHandshakeTimeout(services.config().upstream().handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            upstream.pipeline().addBefore("idle-close", "tls", tls);
            upstream.config().setAutoRead(true);
            tls.handshakeFuture().addListener(done -> {
                upstream.config().setAutoRead(false);
                if (!done.isSuccess()) {
                    upstream.close();
                    promise.tryFailure(done.cause());
                    return;
                }
                var chain = TlsInterceptor.peerChain(tls.engine().getSession());
                if (services.validator().validate(chain, name) instanceof CertificateVerdict.Untrusted u) {
                    upstream.close();
                    promise.tryFailure(new CertificateException("origin certificate not trusted: "
                            + u.problem().code() + ": " + u.detail()));
                    return;
                }
                promise.trySuccess(upstream);
            });
        });
        return promise;
    }
}
