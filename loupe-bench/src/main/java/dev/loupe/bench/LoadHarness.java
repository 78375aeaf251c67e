package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.core.pki.CertificateForge;
import dev.loupe.core.pki.CertificateNames;
import dev.loupe.core.pki.ForgedCertificate;
import dev.loupe.core.pki.KeyType;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * Load harness: starts a local HTTPS origin and the Loupe gateway as separate processes, drives them
 * with a Netty/BoringSSL client that speaks CONNECT + TLS, and reports throughput, the gateway's CPU
 * time per unit of work (from /proc), memory per idle session, and the same workloads straight to the
 * origin as the baseline. See docs/benchmarks.md.
 */
public final class LoadHarness {
    private static final String ORIGIN_HOST = "localhost";
    private static final int SMALL = 1024;
    private static final long MIB = 1024L * 1024;

    /** Sizes of one run; {@code --quick} shrinks everything for a smoke test. */
    record Plan(int warmupSecs, int w1Secs, int w1Loops, int w2Secs, int w2Tunnels, int w3Downloads,
            long w3Bytes, int w3WarmupRounds, int w4Sessions, int w4OpenConcurrency, int w4HoldSecs) {
        static final Plan FULL = new Plan(10, 10, 8, 10, 32, 4, 100 * MIB, 3, 2000, 16, 3);
        static final Plan QUICK = new Plan(1, 3, 8, 3, 32, 2, 20 * MIB, 1, 200, 16, 1);

        Plan withW3Bytes(long bytes) {
            return new Plan(warmupSecs, w1Secs, w1Loops, w2Secs, w2Tunnels, w3Downloads, bytes, w3WarmupRounds, w4Sessions,
                    w4OpenConcurrency, w4HoldSecs);
        }
    }

    private final HarnessOptions options;
    private final Plan plan;
    private final List<Process> children = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private Path scratch;
    /** The AOT options of the next gateway started: none, training, or using the cache. */
    private List<String> gatewayAotOptions = List.of();
    private Process origin;
    private Process gateway;
    /** The proxy process whose CPU the current run charges: Loupe's gateway, or a peer (SSLsplit). */
    private Process measured;
    private SslsplitPeer sslsplit;
    private int originPort;
    private int gatewayPort;
    private String gatewayTls = "?";
    private String originInfo = "?";
    private Path gatewayErr;
    private Path accessLog;
    private EventLoopGroup group;
    private String loadAverageAtStart = "?";

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private LoadHarness(HarnessOptions options) {
        this.options = options;
        Plan sized = options.quick() ? Plan.QUICK : Plan.FULL;
        this.plan = options.w3Mib() > 0 ? sized.withW3Bytes(options.w3Mib() * MIB) : sized;
    }

    public static void main(String[] args) throws Exception {
        HarnessOptions options = HarnessOptions.parse(args);
        LoadHarness harness = new LoadHarness(options);
        Runtime.getRuntime().addShutdownHook(new Thread(harness::stopChildren, "stop-children"));
        int status;
        try {
            status = harness.run();
        } finally {
            harness.stopChildren();
        }
        System.exit(status);
    }

    // ---------------------------------------------------------------------------------------------------
    // orchestration

    private int run() throws Exception {
        long t0 = System.nanoTime();
        Files.createDirectories(options.out());
        scratch = Files.createTempDirectory("loupe-bench-");
        println("loupe-bench: nproc=%d, java %s, %s run, workloads %s", Runtime.getRuntime().availableProcessors(),
                Runtime.version(), options.quick() ? "QUICK" : "full", String.join(",", options.only()));
        println("scratch %s, results %s", scratch, options.out().toAbsolutePath());
        loadAverageAtStart = loadAverage();
        println("load average before start: %s (other work on this machine skews every figure)", loadAverageAtStart);

        Path originCa = writeOriginPki();
        startOrigin();
        boolean epoll = Epoll.isAvailable();
        int clientThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        group = new MultiThreadIoEventLoopGroup(clientThreads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends SocketChannel> channelType = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        if (options.aot().equals(HarnessOptions.AOT_TRAIN)) {
            trainAotCache(originCa, channelType);
        }
        if (!options.aot().equals(HarnessOptions.AOT_OFF)) {
            gatewayAotOptions = AotCache.of(options.loupeJar()).useOptions();
        }
        startGateway(originCa);
        X509Certificate loupeCa = readCertificate(scratch.resolve("data/ca.crt"));
        X509Certificate originCaCert = readCertificate(originCa);
        println("origin: pid %d, 127.0.0.1:%d (%s)", origin.pid(), originPort, originInfo);
        println("gateway: pid %d, 127.0.0.1:%d, Loupe TLS provider: %s, JVM opts: %s", gateway.pid(), gatewayPort,
                gatewayTls, String.join(" ", gatewayJvmOptions()));

        BenchClient direct = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", originPort), false,
                ORIGIN_HOST, originPort, originCaCert, options.resumption(), false, options.clientGroups());
        BenchClient proxied = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", gatewayPort), true,
                ORIGIN_HOST, originPort, loupeCa, options.resumption(), false, options.clientGroups());
        BenchClient directH2 = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", originPort),
                false, ORIGIN_HOST, originPort, originCaCert, options.resumption(), true, options.clientGroups());
        BenchClient proxiedH2 = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", gatewayPort),
                true, ORIGIN_HOST, originPort, loupeCa, options.resumption(), true, options.clientGroups());
        println("client: %d event-loop threads (%s), TLS %s, groups %s, session resumption %s", clientThreads,
                epoll ? "epoll" : "nio", OpenSsl.isAvailable() ? OpenSsl.versionString() : "JDK", options.clientGroups(),
                options.resumption() ? "ON" : "OFF (every handshake is a full one)");

        BenchClient viaSslsplit = startSslsplit(originCa, channelType);
        GatewayProfiler profiler = options.profile() ? GatewayProfiler.unpack(scratch, options.out()) : null;

        List<Run> runs = new ArrayList<>();
        List<BenchClient> warmed = new ArrayList<>(List.of(direct, proxied));
        if (viaSslsplit != null) {
            warmed.add(viaSslsplit);
        }
        List<Run> curve = options.warmupCurveSecs() > 0 ? warmupCurve(proxied) : List.of();
        Map<String, Long> warmupErrors = warmUp(warmed);
        for (int rep = 1; rep <= options.reps(); rep++) {
          if (options.reps() > 1) {
            println("repetition %d of %d", rep, options.reps());
          }
          for (String w : options.only()) {
            boolean h2 = w.endsWith("H2");
            List<BenchClient> clients = new ArrayList<>(h2 ? List.of(directH2, proxiedH2) : List.of(direct, proxied));
            if (viaSslsplit != null && !h2) {
                // SSLsplit 0.5.5 neither offers nor forwards h2
                clients.add(viaSslsplit);
            }
            for (BenchClient client : clients) {
                measured = client.mode().equals("sslsplit") ? sslsplit.process : gateway;
                // the last repetition: the steady state the medians describe, after the JIT's work of the earlier ones
                boolean profiled = profiler != null && client.mode().equals("proxied") && rep == options.reps();
                if (profiled) {
                    profiler.start(gateway.pid());
                }
                Run r = switch (w) {
                    case "W1" -> w1(client);
                    case "W2" -> w2(client);
                    case "W2H2" -> w2h2(client);
                    case "W3" -> w3(client);
                    case "W3H2" -> w3(client);
                    case "W4" -> w4(client);
                    case "L1" -> l1(client);
                    default -> throw new IllegalStateException(w);
                };
                r.rep = rep;
                runs.add(r);
                ResultsTable.printRun(r, plan);
                if (profiled) {
                    Path collapsed = profiler.stop(gateway.pid(), w);
                    println("  profile of %s proxied (gateway, self time): %s", w, collapsed.toAbsolutePath());
                    GatewayProfiler.topSelfFrames(collapsed, 10).forEach(line -> println("    %s", line));
                }
                if (!gateway.isAlive()) {
                    println("!! gateway process exited (status %d) during %s %s", gateway.exitValue(), r.workload, r.mode);
                }
            }
          }
        }
        Map<String, Object> gatewayHealth = gatewayHealth(proxied);
        if (options.mirrorCompare()) {
            compareMirror(originCa, loupeCa, channelType, runs);
        }
        if (options.icapCompare() != null) {
            compareIcap(originCa, loupeCa, channelType, runs);
        }
        if (options.inlineCompare() != null) {
            compareWith("an inline HTTP device at " + options.inlineCompare(), "inline:\n  return-port: "
                    + options.inlineReturnPort() + "\n  services:\n    - {name: bench, devices: [\"" + options.inlineCompare()
                    + "\"], failure-mode: fail-closed}\n", originCa, loupeCa, channelType, runs);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();

        String table = ResultsTable.render(runs, plan, options.reps());
        if (!curve.isEmpty()) {
            table += "\n" + ResultsTable.renderCurve(curve, runs);
        }
        System.out.println();
        System.out.println(table);
        if (options.quick()) {
            System.out.println("(quick run: a smoke test; figures, W4 above all, are dominated by warm-up and noise)");
        }
        printHealth(gatewayHealth, warmupErrors);
        writeResults(runs, curve, table, gatewayHealth, warmupErrors);
        println("load average at end: %s; total wall time %.1f s; results in %s", loadAverage(),
                (System.nanoTime() - t0) / 1e9, options.out().toAbsolutePath());
        boolean anyErrors = runs.stream().anyMatch(r -> r.failed > 0 || !r.errors.isEmpty());
        return anyErrors ? 1 : 0;
    }

    /**
     * Trains the gateway's AOT cache: a gateway started with {@code -XX:AOTCacheOutput} carries the paths the
     * workloads take (new intercepted connections, keep-alive requests, downloads, h2 streams) and assembles
     * the cache when SIGTERM stops it. Its CA stays in the data directory for the measured gateway; its
     * access log does not.
     */
    private void trainAotCache(Path originCa, Class<? extends SocketChannel> channelType) throws Exception {
        AotCache cache = AotCache.of(options.loupeJar());
        gatewayAotOptions = cache.trainingOptions();
        startGateway(originCa);
        X509Certificate loupeCa = readCertificate(scratch.resolve("data/ca.crt"));
        println("aot: training %s with gateway pid %d (%s)", cache.file(), gateway.pid(), String.join(" ", gatewayJvmOptions()));
        long t0 = System.nanoTime();
        BenchClient h1 = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", gatewayPort), true,
                ORIGIN_HOST, originPort, loupeCa, options.resumption(), false, options.clientGroups());
        BenchClient h2 = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", gatewayPort), true,
                ORIGIN_HOST, originPort, loupeCa, options.resumption(), true, options.clientGroups());
        long errors = 0;
        for (Run r : List.of(newConnections(h1, HarnessOptions.AOT_TRAIN_SECS, plan.w1Loops), keepAlive(h1, HarnessOptions.AOT_TRAIN_SECS, 8), w3(h1),
                w2h2(h2), w3(h2))) {
            errors += r.failed;
        }
        cache.finishTraining(gateway);
        children.remove(gateway);
        Files.deleteIfExists(accessLog);
        println("aot: cache %s, %,d bytes, trained in %.1f s (%d errors in the training load)", cache.file(),
                Files.size(cache.file()), (System.nanoTime() - t0) / 1e9, errors);
    }

    /** SSLsplit in front of the same origin, or null (with a line saying why) when it cannot run. */
    private BenchClient startSslsplit(Path originCa, Class<? extends SocketChannel> channelType) throws Exception {
        if (options.noSslsplit()) {
            println("sslsplit: skipped (--no-sslsplit)");
            return null;
        }
        var peer = SslsplitPeer.start(scratch, originCa, originPort);
        if (peer.isEmpty()) {
            println("sslsplit: not installed (Debian package sslsplit): the SSLsplit baseline is skipped");
            return null;
        }
        sslsplit = peer.get();
        children.add(sslsplit.process);
        println("sslsplit: pid %d, 127.0.0.1:%d, ssl proxyspec to the origin, EC P-256 CA and leaf key, VerifyPeer=yes",
                sslsplit.process.pid(), sslsplit.port);
        return new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", sslsplit.port), false,
                ORIGIN_HOST, originPort, sslsplit.ca, options.resumption(), false, options.clientGroups()).named("sslsplit");
    }

    private Path writeOriginPki() throws IOException {
        Clock clock = Clock.systemUTC();
        CertificateAuthority ca = CertificateAuthority.generate(KeyType.EC_P256, "Loupe Bench Origin CA", clock);
        Instant now = clock.instant();
        ForgedCertificate leaf = new CertificateForge(ca, clock).forge(
                CertificateNames.forHost(ORIGIN_HOST).with("127.0.0.1"), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(7)));
        Path caFile = scratch.resolve("origin-ca.crt");
        Files.writeString(caFile, ca.certificatePem());
        StringWriter chain = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(chain)) {
            w.writeObject(leaf.certificate());
            w.writeObject(ca.certificate());
        }
        Files.writeString(scratch.resolve("origin.crt"), chain.toString());
        Files.writeString(scratch.resolve("origin.key"), Pem.pkcs8(leaf.privateKey()));
        Files.writeString(scratch.resolve("hosts"), "127.0.0.1 " + ORIGIN_HOST + "\n");
        return caFile;
    }

    private String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void startOrigin() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseParallelGC", "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), BenchOrigin.class.getName(), "0",
                scratch.resolve("origin.crt").toString(), scratch.resolve("origin.key").toString()));
        origin = new ProcessBuilder(cmd).redirectError(scratch.resolve("origin.stderr.log").toFile()).start();
        children.add(origin);
        BufferedReader out = new BufferedReader(new InputStreamReader(origin.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
        String line;
        try {
            line = ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            line = null;
        }
        if (line == null || !line.startsWith("READY ")) {
            throw new IllegalStateException("origin did not start (got '" + line + "'); stderr:\n"
                    + Files.readString(scratch.resolve("origin.stderr.log")));
        }
        String[] parts = line.split(" ", 3);
        originPort = Integer.parseInt(parts[1]);
        originInfo = parts.length > 2 ? parts[2] : "";
    }

    private void startGateway(Path originCa) throws Exception {
        startGateway(originCa, options.gatewayYaml());
    }

    /**
     * Restarts the gateway with a pcap-file mirror (every decrypted byte synthesized and written to
     * disk) and repeats the proxied W2 and W3, so their cost is read against the runs just made.
     */
    private void compareMirror(Path originCa, X509Certificate loupeCa, Class<? extends SocketChannel> channelType,
                               List<Run> runs) throws Exception {
        Path pcaps = scratch.resolve("mirror-pcap");
        compareWith("the pcap-file mirror", "mirror:\n  server-port-map: {" + originPort + ": 80}\n  sinks:\n"
                + "    - {type: pcap-file, directory: " + pcaps + ", rotate-bytes: 1073741824, max-files: 2}\n",
                originCa, loupeCa, channelType, runs);
    }

    /**
     * Restarts the gateway with every response sent to an ICAP RESPMOD service (e.g. c-icap's virus_scan)
     * and repeats the proxied W2 and W3 against the runs just made.
     */
    private void compareIcap(Path originCa, X509Certificate loupeCa, Class<? extends SocketChannel> channelType,
                             List<Run> runs) throws Exception {
        compareWith("RESPMOD to " + options.icapCompare(), "icap:\n  services:\n    - name: bench\n"
                + "      mode: respmod\n      servers: [" + options.icapCompare() + "]\n      max-body-bytes: 4294967296\n"
                + "      timeout: 300s\n", originCa, loupeCa, channelType, runs);
    }

    private void compareWith(String what, String yaml, Path originCa, X509Certificate loupeCa,
                             Class<? extends SocketChannel> channelType, List<Run> runs) throws Exception {
        gateway.destroy();
        gateway.waitFor(10, TimeUnit.SECONDS);
        startGateway(originCa, options.gatewayYaml() + yaml);
        BenchClient changed = new BenchClient(group, channelType, new InetSocketAddress("127.0.0.1", gatewayPort),
                true, ORIGIN_HOST, originPort, loupeCa, options.resumption(), false, options.clientGroups());
        warmUp(List.of(changed));
        System.out.println();
        for (String w : List.of("W2", "W3")) {
            Run off = runs.stream().filter(r -> r.workload.equals(w) && r.mode.equals("proxied")).findFirst().orElse(null);
            if (off == null) {
                continue;
            }
            Run on = w.equals("W2") ? w2(changed) : w3(changed);
            ResultsTable.printRun(on, plan);
            double offCpu = ResultsTable.perUnitValue(w, off.gatewayCpuSeconds, off);
            double onCpu = ResultsTable.perUnitValue(w, on.gatewayCpuSeconds, on);
            println("%s with %s on vs off: throughput %.1f vs %.1f %s (ratio %.2f); gateway CPU "
                    + "per unit %.3f vs %.3f (ratio %.2f); errors %d", w, what, on.throughput, off.throughput,
                    off.throughputUnit, on.throughput / off.throughput, onCpu, offCpu, onCpu / offCpu, on.failed);
        }
    }

    /** {@code extraYaml}: more top-level configuration sections for the gateway (e.g. a mirror). */
    private void startGateway(Path originCa, String extraYaml) throws Exception {
        Path jar = scratch.resolve("loupe.jar");
        if (!options.aot().equals(HarnessOptions.AOT_OFF)) {
            jar = options.loupeJar().toAbsolutePath(); // an AOT cache matches only the jar it was trained with
        } else {
            // a private copy: a rebuild of loupe-app during the run must not change the process under test
            Files.copy(options.loupeJar(), jar, StandardCopyOption.REPLACE_EXISTING);
        }
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            gatewayPort = probe.getLocalPort();
        }
        accessLog = scratch.resolve("access.log");
        gatewayErr = scratch.resolve("gateway.stderr.log");
        Path config = scratch.resolve("loupe.yaml");
        Files.writeString(config, String.join("\n",
                "data-dir: " + scratch.resolve("data"),
                "listener: {address: 127.0.0.1, port: " + gatewayPort + "}",
                "upstream: {extra-ca-bundles: [" + originCa + "], local-destinations: allow}",
                "resolver: {hosts-file: " + scratch.resolve("hosts") + "}",
                "limits: {max-connections: 100000, idle-timeout: 10m}",
                "access-log: {target: " + accessLog + "}", "admin: {port: 0}", extraYaml));
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(gatewayJvmOptions());
        cmd.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
        gateway = new ProcessBuilder(cmd)
                .redirectOutput(scratch.resolve("gateway.stdout.log").toFile())
                .redirectError(gatewayErr.toFile())
                .start();
        children.add(gateway);
        gateway.getOutputStream().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            String err = Files.exists(gatewayErr) ? Files.readString(gatewayErr) : "";
            int at = err.indexOf("Loupe listening on");
            if (at >= 0 && canConnect(gatewayPort)) {
                var m = java.util.regex.Pattern.compile("TLS (\\S+?),").matcher(err.substring(at));
                gatewayTls = m.find() ? m.group(1) : "?";
                return;
            }
            if (!gateway.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway did not start (" + (gateway.isAlive() ? "timeout"
                        : "exit " + gateway.exitValue()) + "); stderr:\n" + err);
            }
            Thread.sleep(100);
        }
    }

    private List<String> gatewayJvmOptions() {
        List<String> opts = new ArrayList<>(List.of(options.gatewayJvmOpts().trim().split("\\s+")));
        opts.addAll(gatewayAotOptions);
        return opts;
    }

    static boolean canConnect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static X509Certificate readCertificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private void stopChildren() {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroy(); // SIGTERM: lets the gateway flush its access log
            }
        }
        for (Process p : children) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        children.clear();
    }

    // ---------------------------------------------------------------------------------------------------
    // workloads

    /** CPU ticks so far; {@code gatewaySystem} is the kernel's part of {@code gateway}. */
    private record Cpu(long gateway, long origin, long self, long gatewaySystem) {
        Cpu(long gateway, long origin, long self) {
            this(gateway, origin, self, -1);
        }
    }

    private Cpu cpu() {
        long pid = (measured != null ? measured : gateway).pid();
        return new Cpu(ProcStats.treeCpuTicks(pid), ProcStats.cpuTicks(origin.pid()),
                ProcStats.cpuTicks(ProcessHandle.current().pid()), ProcStats.treeSystemTicks(pid));
    }

    private static void cpu(Run r, Cpu before, Cpu after) {
        r.gatewayCpuSeconds = ProcStats.ticksToSeconds(after.gateway - before.gateway);
        if (before.gatewaySystem >= 0 && after.gatewaySystem >= 0) {
            r.gatewaySystemCpuSeconds = ProcStats.ticksToSeconds(after.gatewaySystem - before.gatewaySystem);
        }
        r.originCpuSeconds = ProcStats.ticksToSeconds(after.origin - before.origin);
        r.clientCpuSeconds = ProcStats.ticksToSeconds(after.self - before.self);
    }

    private static Run newRun(String workload, BenchClient client, String unit, String throughputUnit) {
        Run r = new Run();
        r.workload = workload;
        r.mode = client.mode();
        r.unit = unit;
        r.throughputUnit = throughputUnit;
        return r;
    }

    /** Error tally: failures grouped by message. */
    private static final class Errors {
        final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        final LongAdder total = new LongAdder();

        void add(Throwable t) {
            Throwable e = t;
            while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
                e = e.getCause();
            }
            String msg = e instanceof BenchClient.StageException s
                    ? s.stage.replaceAll("/bytes/\\d+", "/bytes/N") + ": " + describe(s.getCause())
                    : describe(e);
            counts.computeIfAbsent(msg, k -> new LongAdder()).increment();
            total.increment();
        }

        static String describe(Throwable e) {
            String m = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            m = m.replaceAll("\\s+", " ");
            return m.length() > 200 ? m.substring(0, 200) + "..." : m;
        }

        Map<String, Long> snapshot() {
            Map<String, Long> m = new TreeMap<>();
            counts.forEach((k, v) -> m.put(k, v.sum()));
            return m;
        }
    }

    /**
     * New connections, keep-alive requests and three rounds of W3's downloads per client (not measured): without
     * the downloads, W3 (under a second of transfer) was measured while the JIT compiled its path, ~40% of
     * the gateway's CPU in that run; with one round, C2 was still half of the first repetition's profile.
     */
    private Map<String, Long> warmUp(List<BenchClient> clients) throws Exception {
        println("warm-up: %d s new connections + %d s keep-alive + %d rounds of %d downloads, for each of %s"
                + " (not measured)", plan.warmupSecs, plan.warmupSecs, options.only().contains("W3")
                ? plan.w3WarmupRounds : 0, plan.w3Downloads,
                clients.stream().map(BenchClient::mode).toList());
        Map<String, Long> errors = new TreeMap<>();
        for (BenchClient c : clients) {
            Run a = newConnections(c, plan.warmupSecs, plan.w1Loops);
            Run b = keepAlive(c, plan.warmupSecs, 8);
            long downloadFailures = 0;
            for (int round = 0; options.only().contains("W3") && round < plan.w3WarmupRounds(); round++) {
                Run d = w3(c);
                downloadFailures += d.failed;
                d.errors.forEach((k, v) -> errors.merge(d.mode + " " + k, v, Long::sum));
            }
            println("  warm-up %s: %,d connections, %,d keep-alive requests, %d errors", a.mode, a.units, b.units,
                    a.failed + b.failed + downloadFailures);
            for (Run r : List.of(a, b)) {
                r.errors.forEach((k, v) -> errors.merge(r.mode + " " + k, v, Long::sum));
            }
        }
        return errors;
    }

    /** W1: loops of connect (+CONNECT) + full TLS handshake + GET /1k + close. */
    private Run w1(BenchClient client) throws Exception {
        Run r = newConnections(client, plan.w1Secs, plan.w1Loops);
        r.workload = "W1";
        return r;
    }

    private Run newConnections(BenchClient client, int seconds, int loops) throws Exception {
        Run r = newRun("W1", client, "connection", "conn/s");
        Errors errors = new Errors();
        AtomicLong done = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(loops);
        Cpu before = cpu();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < loops; i++) {
            new Object() {
                void next() {
                    if (System.nanoTime() - deadline >= 0) {
                        finished.countDown();
                        return;
                    }
                    client.open().whenComplete((t, e) -> {
                        if (e != null) {
                            again(e);
                            return;
                        }
                        t.get("/1k").whenComplete((n, e2) -> {
                            if (e2 != null) {
                                again(e2);
                            } else if (n != SMALL) {
                                t.close();
                                again(new IllegalStateException("GET /1k: body " + n + " bytes, expected " + SMALL));
                            } else {
                                bytes.addAndGet(n);
                                done.incrementAndGet();
                                t.close().whenComplete((v, e3) -> again(null));
                            }
                        });
                    });
                }

                void again(Throwable failure) {
                    if (failure == null) {
                        group.execute(this::next);
                    } else {
                        errors.add(failure);
                        group.schedule(this::next, 20, TimeUnit.MILLISECONDS); // no hot loop on persistent errors
                    }
                }
            }.next();
        }
        awaitLoops(finished, seconds, errors, "W1 loops");
        r.seconds = (System.nanoTime() - start) / 1e9;
        cpu(r, before, cpu());
        r.units = done.get();
        r.bodyBytes = bytes.get();
        r.failed = errors.total.sum();
        r.errors = errors.snapshot();
        r.throughput = r.units / r.seconds;
        return r;
    }

    /** L1: W1 at concurrency 1, timing each connection (see {@link SerialConnections}). */
    private Run l1(BenchClient client) throws Exception {
        Run r = newRun("L1", client, "connection", "conn/s");
        Cpu before = cpu();
        SerialConnections.Latencies l = SerialConnections.run(client, plan.w1Secs, SMALL);
        cpu(r, before, cpu());
        r.seconds = l.seconds();
        r.units = l.done();
        r.failed = l.failed();
        r.bodyBytes = l.done() * SMALL;
        r.throughput = r.units / r.seconds;
        r.latencyP50Ms = l.p50Ms();
        r.latencyP90Ms = l.p90Ms();
        r.latencyP99Ms = l.p99Ms();
        return r;
    }

    /**
     * The proxied W1 from the gateway's start, before any warm-up, in 5 s windows: how soon the JIT brings the
     * CPU per connection to its steady state. The gateway's first connections also forge its first certificate.
     */
    private List<Run> warmupCurve(BenchClient proxied) throws Exception {
        println("warm-up curve: proxied W1 (%d loops) for %d s from the gateway's start, in 5 s windows",
                plan.w1Loops, options.warmupCurveSecs());
        measured = gateway;
        List<Run> windows = new ArrayList<>();
        for (int at = 0; at < options.warmupCurveSecs(); at += 5) {
            int secs = Math.min(5, options.warmupCurveSecs() - at);
            Run r = newConnections(proxied, secs, plan.w1Loops);
            r.workload = "W1 " + at + "-" + (at + secs) + " s";
            windows.add(r);
            println("  %-10s %s (%,d connections, %d errors)", r.workload,
                    ResultsTable.perUnit("W1", r.gatewayCpuSeconds, r), r.units, r.failed);
        }
        return windows;
    }

    /** W2: sequential GET /1k on each of N already-open tunnels for a fixed time. */
    private Run w2(BenchClient client) throws Exception {
        Run r = keepAlive(client, plan.w2Secs, plan.w2Tunnels);
        r.workload = "W2";
        return r;
    }

    /** W2H2: W2 over HTTP/2, its loops as concurrent streams of one connection. */
    private Run w2h2(BenchClient client) throws Exception {
        Run r = keepAlive(client, plan.w2Secs, plan.w2Tunnels);
        r.workload = "W2H2";
        return r;
    }

    private Run keepAlive(BenchClient client, int seconds, int loops) throws Exception {
        Run r = newRun("W2", client, "request", "req/s");
        Errors errors = new Errors();
        List<BenchClient.Tunnel> open = new ArrayList<>();
        List<BenchClient.Tunnel> slots = slots(client, loops, errors, open);
        AtomicLong done = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(slots.size());
        Cpu before = cpu();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        for (BenchClient.Tunnel t : slots) {
            new Object() {
                void next() {
                    if (System.nanoTime() - deadline >= 0) {
                        finished.countDown();
                        return;
                    }
                    request(client, t, "/1k").whenComplete((n, e) -> {
                        if (e != null) {
                            errors.add(e);
                            finished.countDown(); // the tunnel (or stream) is gone; this loop ends
                        } else if (n != SMALL) {
                            errors.add(new IllegalStateException("GET /1k: body " + n + " bytes, expected " + SMALL));
                            t.close();
                            finished.countDown();
                        } else {
                            done.incrementAndGet();
                            bytes.addAndGet(n);
                            next();
                        }
                    });
                }
            }.next();
        }
        awaitLoops(finished, seconds, errors, r.workload + " loops");
        r.seconds = (System.nanoTime() - start) / 1e9;
        cpu(r, before, cpu());
        closeAll(open);
        r.units = done.get();
        r.bodyBytes = bytes.get();
        r.failed = errors.total.sum();
        r.errors = errors.snapshot();
        r.throughput = r.units / r.seconds;
        return r;
    }

    /**
     * Where {@code n} concurrent requests run: each on its own tunnel over HTTP/1.1, all on one connection (as
     * streams) over h2. The tunnels opened are added to {@code open}, for closing.
     */
    private List<BenchClient.Tunnel> slots(BenchClient client, int n, Errors errors, List<BenchClient.Tunnel> open)
            throws Exception {
        open.addAll(openTunnels(client, client.h2() ? 1 : n, errors));
        if (!client.h2() || open.isEmpty()) {
            return open;
        }
        return java.util.Collections.nCopies(n, open.get(0));
    }

    private static CompletableFuture<Long> request(BenchClient client, BenchClient.Tunnel t, String path) {
        return client.h2() ? t.stream(path) : t.get(path);
    }

    /** W3: N concurrent downloads of one large body, each over its own (already open) tunnel, or h2 stream. */
    private Run w3(BenchClient client) throws Exception {
        Run r = newRun(client.h2() ? "W3H2" : "W3", client, "GB", "MB/s");
        Errors errors = new Errors();
        long size = plan.w3Bytes;
        String path = size == BenchOrigin.LARGE_BODY ? "/100m" : "/bytes/" + size;
        List<BenchClient.Tunnel> open = new ArrayList<>();
        List<BenchClient.Tunnel> slots = slots(client, plan.w3Downloads, errors, open);
        AtomicLong bytes = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(slots.size());
        Cpu before = cpu();
        long start = System.nanoTime();
        for (BenchClient.Tunnel t : slots) {
            request(client, t, path).whenComplete((n, e) -> {
                if (e != null) {
                    errors.add(e);
                } else {
                    bytes.addAndGet(n);
                    if (n != size) {
                        errors.add(new IllegalStateException("GET " + path + ": body " + n + " bytes, expected " + size));
                    } else {
                        ok.incrementAndGet();
                    }
                }
                finished.countDown();
            });
        }
        if (!finished.await(10, TimeUnit.MINUTES)) {
            errors.add(new TimeoutException("downloads not finished after 10 minutes"));
        }
        r.seconds = (System.nanoTime() - start) / 1e9;
        cpu(r, before, cpu());
        closeAll(open);
        r.units = ok.get();
        r.bodyBytes = bytes.get();
        r.failed = errors.total.sum();
        r.errors = errors.snapshot();
        r.throughput = r.bodyBytes / 1e6 / r.seconds;
        return r;
    }

    /**
     * W4: opens N sessions (each: handshake + one GET /1k) and leaves them idle; the memory of the
     * process holding the server side (gateway when proxied, origin when direct) is read before, after
     * the first half and after all N, each time after a full GC and a native-heap trim. The headline is
     * the delta of native RSS + Java heap used per session; plain RSS is reported too.
     */
    private Run w4(BenchClient client) throws Exception {
        Run r = newRun("W4", client, "session", "sessions");
        long pid = client.mode().equals("direct") ? origin.pid() : measured.pid();
        boolean jvm = !client.mode().equals("sslsplit");
        r.measuredPid = pid;
        Errors errors = new Errors();
        if (jvm && !ProcStats.settle(pid)) {
            errors.add(new IllegalStateException("jcmd " + pid + " GC.run failed: memory read without a full GC"));
        }
        r.memoryBefore = settledMemory(pid, jvm);

        int n = plan.w4Sessions;
        int half = n / 2;
        List<BenchClient.Tunnel> sessions = new CopyOnWriteArrayList<>();
        Cpu before = cpu();
        long start = System.nanoTime();
        openSessions(client, half, sessions, errors);
        double firstSeconds = (System.nanoTime() - start) / 1e9;
        Cpu firstHalf = cpu();
        r.memoryHalf = settledMemory(pid, jvm);
        int sessionsAtHalf = sessions.size();

        Cpu secondStart = cpu();
        long start2 = System.nanoTime();
        openSessions(client, n - half, sessions, errors);
        r.seconds = firstSeconds + (System.nanoTime() - start2) / 1e9;
        Cpu opened = cpu();
        // CPU for opening only: the jcmd GC between the halves is left out
        cpu(r, new Cpu(before.gateway - secondStart.gateway + firstHalf.gateway,
                before.origin - secondStart.origin + firstHalf.origin,
                before.self - secondStart.self + firstHalf.self), opened);
        Thread.sleep(TimeUnit.SECONDS.toMillis(plan.w4HoldSecs));
        Cpu held = cpu();
        r.idleCpuSeconds = ProcStats.ticksToSeconds(client.viaProxy() ? held.gateway - opened.gateway
                : held.origin - opened.origin);
        r.memoryAfter = settledMemory(pid, jvm);
        r.sessionsStillOpen = (int) sessions.stream().filter(t -> t.channel().isActive()).count();
        if (r.sessionsStillOpen < sessions.size()) {
            errors.add(new IllegalStateException((sessions.size() - r.sessionsStillOpen)
                    + " idle sessions were closed by the peer before the memory reading"));
        }
        r.units = sessions.size();
        r.bodyBytes = r.units * SMALL;
        r.throughput = r.units;
        ProcStats.Memory b = r.memoryBefore;
        ProcStats.Memory h = r.memoryHalf;
        ProcStats.Memory a = r.memoryAfter;
        r.liveKiBPerSession = perSession(b.liveKiB(), a.liveKiB(), r.units);
        r.liveKiBPerSessionSecondHalf = perSession(h.liveKiB(), a.liveKiB(), r.units - sessionsAtHalf);
        r.rssKiBPerSession = perSession(b.rssKiB(), a.rssKiB(), r.units);
        r.nativeKiBPerSession = perSession(b.nativeKiB(), a.nativeKiB(), r.units);
        r.heapKiBPerSession = perSession(b.heapUsedKiB(), a.heapUsedKiB(), r.units);
        closeAll(sessions);
        r.failed = errors.total.sum();
        r.errors = errors.snapshot();
        return r;
    }

    /**
     * A JVM's reading after a full GC and a trim; SSLsplit's (C, no heap to collect) is the VmRSS of its parent and
     * worker, all of it "native", so its headline figure is its plain RSS growth per session.
     */
    private static ProcStats.Memory settledMemory(long pid, boolean jvm) throws InterruptedException {
        if (jvm) {
            ProcStats.settle(pid);
        }
        Thread.sleep(500);
        return jvm ? ProcStats.memory(pid) : new ProcStats.Memory(ProcStats.treeRssKiB(pid), 0, 0);
    }

    private static Double perSession(long before, long after, long sessions) {
        return before < 0 || after < 0 || sessions <= 0 ? null : (after - before) / (double) sessions;
    }

    /** Opens {@code count} sessions, {@code w4OpenConcurrency} at a time, each with one GET /1k done. */
    private void openSessions(BenchClient client, int count, List<BenchClient.Tunnel> sessions, Errors errors)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        int loops = Math.min(plan.w4OpenConcurrency, Math.max(1, count));
        CountDownLatch finished = new CountDownLatch(loops);
        for (int i = 0; i < loops; i++) {
            new Object() {
                void next() {
                    if (next.getAndIncrement() >= count) {
                        finished.countDown();
                        return;
                    }
                    client.open().whenComplete((t, e) -> {
                        if (e != null) {
                            errors.add(e);
                            group.schedule(this::next, 20, TimeUnit.MILLISECONDS);
                            return;
                        }
                        t.get("/1k").whenComplete((len, e2) -> {
                            if (e2 != null) {
                                errors.add(e2);
                            } else if (len != SMALL) {
                                errors.add(new IllegalStateException("GET /1k: body " + len + " bytes, expected " + SMALL));
                                t.close();
                            } else {
                                sessions.add(t);
                            }
                            group.execute(this::next);
                        });
                    });
                }
            }.next();
        }
        awaitLoops(finished, 120, errors, "W4 session opening");
    }

    private List<BenchClient.Tunnel> openTunnels(BenchClient client, int n, Errors errors) throws Exception {
        List<CompletableFuture<BenchClient.Tunnel>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(client.open());
        }
        List<BenchClient.Tunnel> open = new ArrayList<>();
        for (CompletableFuture<BenchClient.Tunnel> f : futures) {
            try {
                open.add(f.get(60, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException e) {
                errors.add(e);
            }
        }
        return open;
    }

    private static void closeAll(List<BenchClient.Tunnel> tunnels) {
        List<CompletableFuture<Void>> closing = tunnels.stream().map(BenchClient.Tunnel::close).toList();
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // reported by the caller's counts if it matters
        }
    }

    private static void awaitLoops(CountDownLatch latch, int seconds, Errors errors, String what) throws InterruptedException {
        long limit = seconds + BenchClient.STALL_MILLIS / 1000 + 30;
        if (!latch.await(limit, TimeUnit.SECONDS)) {
            errors.add(new TimeoutException(what + ": " + latch.getCount() + " still running " + limit
                    + " s after the start (hang)"));
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // reporting

    /** What the gateway itself said: access-log close reasons and verdicts, WARN/ERROR lines on stderr. */
    private Map<String, Object> gatewayHealth(BenchClient proxied) throws IOException, InterruptedException {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alive", gateway.isAlive());
        h.put("rssKiBAtEnd", ProcStats.rssKiB(gateway.pid()));
        h.put("harnessProxiedHandshakes", proxied.handshakes.sum());
        h.put("harnessProxiedResponses", proxied.responses.sum());
        // a connection is logged when the gateway has processed its close, and the log is written in
        // batches: wait until the file stops growing so the counts below are complete
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long size = -1;
        while (System.nanoTime() < deadline) {
            long now = Files.exists(accessLog) ? Files.size(accessLog) : 0;
            if (now == size) {
                break;
            }
            size = now;
            Thread.sleep(2000);
        }
        // SIGTERM first so the access log is flushed; CPU and memory have been read already
        gateway.destroy();
        try {
            gateway.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Long> types = new TreeMap<>();
        Map<String, Long> verdicts = new TreeMap<>();
        Map<String, Long> closeReasons = new TreeMap<>();
        Map<String, Long> statuses = new TreeMap<>();
        long lines = 0;
        long unparsable = 0;
        if (Files.exists(accessLog)) {
            ObjectMapper mapper = new ObjectMapper();
            try (BufferedReader in = Files.newBufferedReader(accessLog)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines++;
                    try {
                        JsonNode n = mapper.readTree(line);
                        String type = n.path("type").asText("?");
                        types.merge(type, 1L, Long::sum);
                        if (n.has("verdict")) {
                            verdicts.merge(n.get("verdict").asText(), 1L, Long::sum);
                        }
                        if (n.has("close_reason")) {
                            closeReasons.merge(n.get("close_reason").asText(), 1L, Long::sum);
                        }
                        if (n.has("status")) {
                            statuses.merge(n.get("status").asText(), 1L, Long::sum);
                        }
                    } catch (IOException e) {
                        unparsable++;
                    }
                }
            }
        }
        h.put("accessLogLines", lines);
        h.put("accessLogUnparsable", unparsable);
        h.put("recordTypes", types);
        h.put("verdicts", verdicts);
        h.put("closeReasons", closeReasons);
        h.put("exchangeStatuses", statuses);
        List<String> problems = new ArrayList<>();
        long warnOrError = 0;
        if (Files.exists(gatewayErr)) {
            for (String line : Files.readAllLines(gatewayErr)) {
                if (line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("Exception")
                        || line.contains("OutOfMemoryError")) {
                    warnOrError++;
                    if (problems.size() < 15) {
                        problems.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
                    }
                }
            }
            Files.copy(gatewayErr, options.out().resolve("gateway.stderr.log"), StandardCopyOption.REPLACE_EXISTING);
        }
        h.put("stderrWarnOrErrorLines", warnOrError);
        h.put("stderrFirstProblems", problems);
        return h;
    }

    @SuppressWarnings("unchecked")
    private void printHealth(Map<String, Object> h, Map<String, Long> warmupErrors) {
        System.out.println("Gateway health: alive at end=" + h.get("alive") + ", access log lines=" + h.get("accessLogLines")
                + ", types=" + h.get("recordTypes") + ", verdicts=" + h.get("verdicts"));
        System.out.println("  harness (incl. warm-up): " + h.get("harnessProxiedHandshakes") + " proxied TLS handshakes, "
                + h.get("harnessProxiedResponses") + " proxied responses; plus 1 readiness-probe connection");
        System.out.println("  close reasons: " + h.get("closeReasons"));
        if (!((Map<String, Long>) h.get("exchangeStatuses")).isEmpty()) {
            System.out.println("  exchange statuses: " + h.get("exchangeStatuses"));
        }
        System.out.println("  stderr WARN/ERROR lines: " + h.get("stderrWarnOrErrorLines"));
        for (String line : (List<String>) h.get("stderrFirstProblems")) {
            System.out.println("    " + line);
        }
        if (!warmupErrors.isEmpty()) {
            System.out.println("  warm-up errors: " + warmupErrors);
        }
    }

    private void writeResults(List<Run> runs, List<Run> curve, String table, Map<String, Object> health,
                              Map<String, Long> warmupErrors) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("time", Instant.now().toString());
        doc.put("nproc", Runtime.getRuntime().availableProcessors());
        doc.put("loadAverageAtStart", loadAverageAtStart);
        doc.put("loadAverageAtEnd", loadAverage());
        doc.put("java", Runtime.version().toString());
        doc.put("quick", options.quick());
        doc.put("loupeTlsProvider", gatewayTls);
        doc.put("gatewayJvmOpts", options.gatewayJvmOpts());
        doc.put("clientSessionResumption", options.resumption());
        doc.put("clientGroups", options.clientGroups());
        doc.put("plan", plan);
        doc.put("clockTicksPerSecond", ProcStats.CLOCK_TICKS_PER_SECOND);
        doc.put("reps", options.reps());
        doc.put("aot", options.aot());
        doc.put("runs", runs);
        doc.put("warmupCurve", curve);
        doc.put("gatewayHealth", health);
        doc.put("warmupErrors", warmupErrors);
        json.writeValue(options.out().resolve("results.json").toFile(), doc);
        StringBuilder md = new StringBuilder();
        md.append("# Loupe load harness results\n\n");
        md.append(String.format(Locale.ROOT, "%s, nproc %d, Java %s, Loupe TLS provider %s, gateway JVM `%s`, %s run,"
                        + " client TLS session resumption %s.%n%n", Instant.now(), Runtime.getRuntime().availableProcessors(),
                Runtime.version(), gatewayTls, options.gatewayJvmOpts(), options.quick() ? "quick" : "full",
                options.resumption() ? "on" : "off"));
        md.append(table).append('\n');
        md.append("Gateway CPU/unit: gateway process utime+stime during the proxied run divided by the units done."
                + " W3 GB = 10^9 bytes, MB = 10^6 bytes. W4: RSS and heap of the process holding the server side"
                + " (origin when direct, gateway when proxied) after a full GC, before vs after opening the sessions.\n\n");
        md.append("## Runs\n\n```\n");
        for (Run r : runs) {
            md.append(json.writeValueAsString(r)).append('\n');
        }
        md.append("```\n\n## Gateway health\n\n```\n").append(json.writeValueAsString(health)).append("\n```\n");
        Files.writeString(options.out().resolve("results.md"), md.toString());
        if (!options.keep()) {
            deleteScratch();
        } else {
            println("scratch kept: %s", scratch);
        }
    }

    private void deleteScratch() throws IOException {
        stopChildren();
        try (Stream<Path> walk = Files.walk(scratch)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void println(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
