package dev.loupe.core.trust;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loupe.core.trust.CertificateVerdict.Untrusted;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Memoises {@link UpstreamCertificateValidator} verdicts. PKIX path building costs hundreds of
 * microseconds, while a gateway sees the same few chains thousands of times per minute, so
 * re-validating every handshake would waste most of the CPU spent on trust decisions.
 */
public final class CachingCertificateValidator {

    public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
    /** Bounds how long a verdict survives anchor-independent changes we cannot observe. */
    static final Duration TTL = Duration.ofMinutes(10);

    private final BiFunction<List<X509Certificate>, String, Evaluation> evaluator;
    private final Clock clock;
    private final Cache<Key, Evaluation> cache;

    public CachingCertificateValidator(UpstreamCertificateValidator delegate, Clock clock) {
        this(delegate, clock, DEFAULT_MAXIMUM_SIZE);
    }

    public CachingCertificateValidator(UpstreamCertificateValidator delegate, Clock clock, long maximumSize) {
        this(Objects.requireNonNull(delegate, "delegate")::evaluate, clock, maximumSize);
    }

    /** Seam for tests that need to count how often the real validation runs. */
    CachingCertificateValidator(BiFunction<List<X509Certificate>, String, Evaluation> evaluator,
                                Clock clock, long maximumSize) {
        this.evaluator = evaluator;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).expireAfterWrite(TTL).build();
    }

    /** Same contract as {@link UpstreamCertificateValidator#validate}. */
    public CertificateVerdict validate(List<X509Certificate> chain, String host) {
        if (chain == null || chain.isEmpty()) {
            return new Untrusted(CertificateProblem.NO_CERTIFICATE, "the server sent no certificate");
        }
        Key key = Key.of(chain, host);
        Evaluation cached = cache.get(key, k -> evaluator.apply(chain, host));
        // A verdict is reused only while every certificate it examined keeps its validity status;
        // in particular a Trusted verdict never outlives the leaf's notAfter.
        if (cached.holdsAt(clock.instant())) {
            return cached.verdict();
        }
        Evaluation fresh = evaluator.apply(chain, host);
        cache.put(key, fresh);
        return fresh.verdict();
    }

    /** Approximate number of cached verdicts, for metrics. */
    public long estimatedSize() {
        return cache.estimatedSize();
    }

    /** SHA-256 over the concatenated DER of the sent chain, plus the case-folded host. */
    record Key(String chainSha256, String host) {
        static Key of(List<X509Certificate> chain, String host) {
            MessageDigest digest = sha256();
            for (X509Certificate cert : chain) {
                digest.update(CertificateFacts.encoded(cert));
            }
            String folded = host == null ? "" : host.toLowerCase(Locale.ROOT);
            return new Key(HexFormat.of().formatHex(digest.digest()), folded);
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK provides SHA-256", e);
            }
        }
    }
}
