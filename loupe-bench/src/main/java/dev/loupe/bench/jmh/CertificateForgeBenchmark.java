package dev.loupe.bench.jmh;

import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.core.pki.CertificateForge;
import dev.loupe.core.pki.CertificateNames;
import dev.loupe.core.pki.ForgedCertificate;
import dev.loupe.core.pki.KeyType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of minting one leaf (one ECDSA P-256 signature by the CA over a certificate with the shared,
 * reused leaf key): what a forged-certificate cache miss costs the gateway.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CertificateForgeBenchmark {
    private CertificateForge forge;
    private CertificateNames names;
    private Instant notBefore;
    private Instant notAfter;

    @Setup
    public void setUp() {
        Clock clock = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Bench CA", clock);
        forge = new CertificateForge(ca, clock);
        names = CertificateNames.forHost("a.example");
        notBefore = clock.instant().minus(Duration.ofHours(1));
        notAfter = clock.instant().plus(Duration.ofDays(30));
    }

    @Benchmark
    public ForgedCertificate forge() {
        return forge.forge(names, notBefore, notAfter);
    }
}
