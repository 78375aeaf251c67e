package dev.loupe.gateway.tls;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.core.pki.CertificateForge;
import dev.loupe.core.pki.CertificateNames;
import dev.loupe.core.pki.ForgedCertificate;
import io.netty.handler.ssl.SslContext;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Forged certificates with their ready-made server contexts, keyed by the full set of names
 * (never by CN alone). Forging and context creation run on {@code forgeExecutor}, never on an event
 * loop; concurrent requests for the same names share one computation.
 */
public final class ForgedContextCache implements AutoCloseable {
    /** Mirrored certificates and short-lived error-page certificates live in separate key spaces. */
    private record Key(CertificateNames names, boolean errorPage, String alpn) {
    }

    public record ClientIdentity(ForgedCertificate forged, SslContext context) {
    }

    private final AsyncCache<Key, ClientIdentity> cache;
    private final CertificateForge forge;
    private final TlsContexts tls;
    private final Clock clock;

    public ForgedContextCache(CertificateForge forge, TlsContexts tls, Executor forgeExecutor, Clock clock,
                              int maximumSize) {
        this.forge = forge;
        this.tls = tls;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(Duration.ofHours(12))
                .executor(forgeExecutor)
                // the cache owns one reference to each context; engines in use hold their own
                .removalListener((Key key, ClientIdentity identity, com.github.benmanes.caffeine.cache.RemovalCause cause)
                        -> { if (identity != null) { io.netty.util.ReferenceCountUtil.release(identity.context()); } })
                .buildAsync();
    }

    /** A context mirroring {@code upstream}'s names (plus the SNI when the certificate does not cover it). */
    public CompletableFuture<ClientIdentity> mirroring(X509Certificate upstream, String sni) {
        return mirroring(upstream, sni, "http/1.1");
    }

    /** As {@link #mirroring(X509Certificate, String)}, offering the client {@code alpn} (what the origin chose). */
    public CompletableFuture<ClientIdentity> mirroring(X509Certificate upstream, String sni, String alpn) {
        Instant upstreamNotAfter = upstream.getNotAfter().toInstant();
        Key key = new Key(CertificateNames.mirroring(upstream, sni), false, alpn);
        return lookup(key, () -> forge.forgeMirroring(upstream, sni),
                forged -> !forged.certificate().getNotAfter().toInstant().isAfter(upstreamNotAfter));
    }

    /** A short-lived context used only to show the client an error page for {@code names}. */
    public CompletableFuture<ClientIdentity> forErrorPage(CertificateNames names) {
        return lookup(new Key(names, true, "http/1.1"), () -> forge.forgeForErrorPage(names), forged -> true);
    }

    private CompletableFuture<ClientIdentity> lookup(Key key, Supplier<ForgedCertificate> forger,
                                                     java.util.function.Predicate<ForgedCertificate> stillFits) {
        CompletableFuture<ClientIdentity> hit = cache.getIfPresent(key);
        if (hit != null && hit.isDone() && !hit.isCompletedExceptionally()) {
            ForgedCertificate forged = hit.join().forged();
            Instant now = clock.instant();
            // A cached certificate must still be valid for a while and must not outlive the upstream's.
            if (forged.certificate().getNotAfter().toInstant().isAfter(now.plusSeconds(60)) && stillFits.test(forged)) {
                return hit;
            }
            cache.synchronous().invalidate(key);
        }
        return cache.get(key, (k, executor) -> CompletableFuture.supplyAsync(() -> build(forger.get(), k.alpn()), executor));
    }

    private ClientIdentity build(ForgedCertificate forged, String alpn) {
        try {
            return new ClientIdentity(forged, tls.forClients(forged, alpn));
        } catch (SSLException e) {
            throw new CompletionException(e);
        }
    }

    /** New leaf key pair for everything forged from now on; certificates with the old key are dropped. */
    public void rotateLeafKey() {
        forge.rotateLeafKey();
        cache.synchronous().invalidateAll();
    }

    /** Drops every context (releasing its BoringSSL memory); for shutdown. */
    @Override
    public void close() {
        cache.synchronous().invalidateAll();
        cache.synchronous().cleanUp();
    }

    public long size() {
        return cache.synchronous().estimatedSize();
    }
}
