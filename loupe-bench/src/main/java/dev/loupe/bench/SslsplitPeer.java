package dev.loupe.bench;

import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.core.pki.KeyType;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * SSLsplit (Debian {@code sslsplit}), the cheapest open-source interception peer, run in the same harness
 * run as Loupe and the direct baseline so its figures share their noise. It gets what Loupe gets: a fixed
 * target ({@code ssl} proxyspec, no HTTP parsing: its own best case), an EC P-256 CA and a P-256 leaf key
 * ({@code -K}), and upstream verification on ({@code VerifyPeer=yes} against the bench origin's CA, given
 * to OpenSSL as {@code SSL_CERT_FILE}). Clients connect to it straight (no CONNECT), as to an origin.
 */
final class SslsplitPeer {
    final Process process;
    final int port;
    final X509Certificate ca;

    private SslsplitPeer(Process process, int port, X509Certificate ca) {
        this.process = process;
        this.port = port;
        this.ca = ca;
    }

    /** The {@code sslsplit} binary on PATH (or in /usr/bin), if installed. */
    static Optional<Path> binary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/bin");
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, "sslsplit"))
                .filter(Files::isExecutable).findFirst();
    }

    /** Starts SSLsplit in front of {@code originPort}; empty when it is not installed. */
    static Optional<SslsplitPeer> start(Path scratch, Path originCa, int originPort) throws Exception {
        Optional<Path> exe = binary();
        if (exe.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Files.createDirectories(scratch.resolve("sslsplit"));
        CertificateAuthority authority = CertificateAuthority.generate(KeyType.EC_P256, "Loupe Bench SSLsplit CA",
                Clock.systemUTC());
        Files.writeString(dir.resolve("ca.crt"), authority.certificatePem());
        Files.writeString(dir.resolve("ca.key"), Pem.pkcs8(authority.privateKey()));
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        Files.writeString(dir.resolve("leaf.key"), Pem.pkcs8(ec.generateKeyPair().getPrivate()));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<String> cmd = List.of(exe.get().toString(), "-u", System.getProperty("user.name"),
                "-c", dir.resolve("ca.crt").toString(), "-k", dir.resolve("ca.key").toString(),
                "-K", dir.resolve("leaf.key").toString(), "-o", "VerifyPeer=yes",
                "ssl", "127.0.0.1", Integer.toString(port), "127.0.0.1", Integer.toString(originPort));
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().put("SSL_CERT_FILE", originCa.toString());
        Process process = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!LoadHarness.canConnect(port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("sslsplit did not start: " + Files.readString(dir.resolve("stderr.log")));
            }
            Thread.sleep(100);
        }
        return Optional.of(new SslsplitPeer(process, port, authority.certificate()));
    }
}
