package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real redis-server on loopback, with a password and no persistence, that a test can kill and start again. */
final class RedisServer implements AutoCloseable {
    static final String PASSWORD = "loupe-it-redis-secret";

    final int port;
    /** The TLS port; its certificate (for 127.0.0.1) is signed by {@link #tlsCa}. */
    final int tlsPort;
    final Path tlsCa;
    final Path passwordFile;
    private final Path dir;
    private Process process;

    private RedisServer(Path dir) throws Exception {
        this.dir = Files.createDirectories(dir);
        this.port = Partners.freePort();
        this.tlsPort = Partners.freePort();
        TestCertificates.Issued ca = TestCertificates.ca("Loupe IT Redis CA");
        this.tlsCa = dir.resolve("redis-ca.pem");
        TestCertificates.write(tlsCa, ca.certificate());
        java.time.Instant now = java.time.Instant.now();
        TestCertificates.leaf(ca, "127.0.0.1", now.minusSeconds(3600), now.plusSeconds(86_400), "127.0.0.1", "localhost")
                .writePem(dir.resolve("redis.crt"), dir.resolve("redis.key"));
        this.passwordFile = dir.resolve("redis.password");
        Files.writeString(passwordFile, PASSWORD + "\n");
        Files.writeString(dir.resolve("redis.conf"), """
                bind 127.0.0.1
                port %d
                daemonize no
                supervised no
                logfile ""
                save ""
                appendonly no
                requirepass %s
                dir %s
                tls-port %d
                tls-cert-file %s
                tls-key-file %s
                tls-ca-cert-file %s
                tls-auth-clients no
                """.formatted(port, PASSWORD, dir, tlsPort, dir.resolve("redis.crt"), dir.resolve("redis.key"), tlsCa));
    }

    static RedisServer start(Path dir) throws Exception {
        RedisServer r = new RedisServer(dir);
        r.startAgain();
        return r;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    String tlsUri() {
        return "rediss://127.0.0.1:" + tlsPort;
    }

    /** Starts (again) on the same port: without persistence it comes back empty, as a restarted cache would. */
    void startAgain() throws Exception {
        process = new ProcessBuilder(Partners.require("redis-server"), dir.resolve("redis.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                .start();
        Partners.awaitPort(port, 10_000);
    }

    /** SIGKILL: Redis vanishes without a goodbye, as in a crash or a network cut. */
    void kill() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** redis-cli against this server, returning its output. */
    String cli(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Partners.require("redis-cli"),
                "-p", String.valueOf(port), "-a", PASSWORD, "--no-auth-warning"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Partners.finish(p);
        return out;
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
