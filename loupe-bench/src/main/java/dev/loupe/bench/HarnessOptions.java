package dev.loupe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The harness's command line: what to run and how, checked before anything starts ({@code run-bench --help}). */
record HarnessOptions(boolean quick, Set<String> only, Path out, Path loupeJar, boolean keep, boolean resumption,
        boolean mirrorCompare, String icapCompare, String inlineCompare, int inlineReturnPort, String gatewayJvmOpts,
        String gatewayYaml, boolean noSslsplit, boolean profile, int reps, int warmupCurveSecs,
        List<String> clientGroups, String aot, int w3Mib) {
    /** --aot modes: no cache, the fresh one next to the jar, or train it first in this run. */
    static final String AOT_OFF = "off";
    static final String AOT_USE = "use";
    static final String AOT_TRAIN = "train";
    /** Per phase of the AOT training run: new connections, then keep-alive requests. */
    static final int AOT_TRAIN_SECS = 15;

    /** The client's groups by --client-groups name: what Debian 12's curl/OpenSSL 3.0 offers, or Chromium's. */
    static final Map<String, List<String>> CLIENT_GROUPS = Map.of(
            "classical", List.of("X25519", "P-256", "P-384"),
            "pq", List.of("X25519MLKEM768", "X25519", "P-256", "P-384"));

    static HarnessOptions parse(String[] args) {
        boolean quick = false;
        boolean keep = false;
        boolean resumption = false;
        boolean mirrorCompare = false;
        boolean noSslsplit = false;
        boolean profile = false;
        int reps = 1;
        int warmupCurveSecs = 0;
        String clientGroups = "classical";
        String aot = AOT_OFF;
        int w3Mib = 0;
        String icapCompare = null;
        String inlineCompare = null;
        int inlineReturnPort = 8082;
        Set<String> only = new LinkedHashSet<>(List.of("W1", "W2", "W2H2", "W3", "W3H2", "W4"));
        Path out = null;
        Path jar = null;
        String jvmOpts = "-XX:+UseParallelGC -Xmx1g";
        String gatewayYaml = "";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--keep" -> keep = true;
                case "--resumption" -> resumption = true;
                case "--mirror-compare" -> mirrorCompare = true;
                case "--no-sslsplit" -> noSslsplit = true;
                case "--profile" -> profile = true;
                case "--aot" -> aot = AOT_USE;
                case "--aot-train" -> aot = AOT_TRAIN;
                case "--w3-mib" -> w3Mib = positive(value(args, ++i, a), a);
                case "--reps" -> reps = positive(value(args, ++i, a), a);
                case "--warmup-curve" -> warmupCurveSecs = positive(value(args, ++i, a), a);
                case "--client-groups" -> {
                    clientGroups = value(args, ++i, a);
                    if (!CLIENT_GROUPS.containsKey(clientGroups)) {
                        usage("--client-groups: '" + clientGroups + "' is not one of " + CLIENT_GROUPS.keySet());
                    }
                }
                case "--icap-compare" -> icapCompare = value(args, ++i, a);
                case "--inline-compare" -> inlineCompare = value(args, ++i, a);
                case "--inline-return-port" -> inlineReturnPort = Integer.parseInt(value(args, ++i, a));
                case "--only" -> {
                    only = new LinkedHashSet<>();
                    for (String w : value(args, ++i, a).split(",")) {
                        String id = w.trim().toUpperCase(Locale.ROOT);
                        if (!id.matches("W[1-4]|W[23]H2|L1")) {
                            usage("--only: unknown workload '" + w + "' (use W1..W4, W2H2, W3H2, L1)");
                        }
                        only.add(id);
                    }
                }
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--loupe-jar" -> jar = Path.of(value(args, ++i, a));
                case "--gateway-jvm-opts" -> jvmOpts = value(args, ++i, a);
                case "--gateway-yaml" -> gatewayYaml = value(args, ++i, a).replace("\\n", "\n") + "\n";
                case "-h", "--help" -> usage(null);
                default -> usage("unknown argument '" + a + "'");
            }
        }
        if (jar == null) {
            String env = System.getenv("LOUPE_JAR");
            jar = env != null ? Path.of(env) : Stream.of("loupe-app/target/loupe.jar", "../loupe-app/target/loupe.jar")
                    .map(Path::of).filter(Files::isRegularFile).findFirst()
                    .orElseGet(() -> Path.of("loupe-app/target/loupe.jar"));
        }
        if (!Files.isRegularFile(jar)) {
            usage("gateway jar " + jar.toAbsolutePath() + " not found (build it with ./loupe version, or pass --loupe-jar)");
        }
        if (!aot.equals(AOT_OFF)) {
            String why = AotCache.unsupported();
            if (why != null) {
                usage("--aot/--aot-train: " + why);
            }
            try {
                if (aot.equals(AOT_USE) && !AotCache.of(jar).freshFor(jar)) {
                    usage("--aot: no AOT cache newer than " + jar + " at " + AotCache.of(jar).file()
                            + " (make one with --aot-train)");
                }
            } catch (IOException e) {
                usage("--aot: " + e);
            }
        }
        if (out == null) {
            out = Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        return new HarnessOptions(quick, only, out, jar, keep, resumption, mirrorCompare, icapCompare, inlineCompare,
                inlineReturnPort, jvmOpts, gatewayYaml, noSslsplit, profile, reps, warmupCurveSecs,
                CLIENT_GROUPS.get(clientGroups), aot, w3Mib);
    }

    private static int positive(String value, String flag) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the usage message
        }
        usage(flag + " needs a positive whole number, got '" + value + "'");
        return 0;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }

    static void usage(String problem) {
        if (problem != null) {
            System.err.println("loupe-bench: " + problem);
        }
        System.err.println("""
                usage: run-bench [--quick] [--only W1,W2,W3,W4,L1] [--out DIR] [--loupe-jar PATH] [--reps N]
                                 [--gateway-jvm-opts "OPTS"] [--resumption] [--mirror-compare] [--no-sslsplit] [--profile]
                                 [--warmup-curve SECONDS] [--client-groups classical|pq] [--aot | --aot-train]
                                 [--w3-mib N]
                                 [--icap-compare icap://HOST:PORT/SERVICE]
                                 [--inline-compare HOST:PORT [--inline-return-port PORT]] [--keep]
                  --quick        smoke run (short durations, W3 2 x 20 MiB, W4 200 sessions), under a minute
                  --only         run only these workloads (default W1,W2,W2H2,W3,W3H2,W4; L1 = W1 at
                                 concurrency 1, reporting per-connection latency percentiles)
                  --reps N       repeat each workload N times, modes interleaved; the table shows medians
                  --warmup-curve SECONDS  before any warm-up, run the proxied W1 from the gateway's start for
                                 SECONDS and report its CPU per connection in each 5 s window
                  --w3-mib N     size of each W3 download (default 100; larger gives --profile more samples)
                  --out          results directory (default bench-results/<timestamp>)
                  --loupe-jar    gateway jar (default loupe-app/target/loupe.jar or $LOUPE_JAR)
                  --gateway-jvm-opts  JVM options for the gateway (default "-XX:+UseParallelGC -Xmx1g")
                  --gateway-yaml TEXT more gateway configuration, top-level sections (\\n for new lines)
                  --mirror-compare  afterwards, restart the gateway with a pcap-file mirror and repeat the
                                 proxied W2/W3: prints the mirror-on / mirror-off ratios of one run
                  --icap-compare afterwards, restart the gateway with every response sent to this ICAP
                                 RESPMOD service (e.g. c-icap's virus_scan) and repeat the proxied W2/W3
                  --inline-compare afterwards, restart the gateway with an inline HTTP service through this
                                 device (a proxy whose parent is 127.0.0.1:--inline-return-port, default 8082)
                                 and repeat the proxied W2/W3
                  --profile      CPU-profile the gateway in each proxied run of the last repetition (async-profiler,
                                 loaded with jcmd): profile-W.html flame graphs and profile-W.collapsed in the results directory
                  --no-sslsplit  leave out the SSLsplit baseline (run by default for W1-W4 and L1 when installed)
                  --client-groups the client's TLS groups: classical (default; X25519, P-256, P-384, as Debian
                                 12's curl offers) or pq (X25519MLKEM768 first, a 1.2 KB key share, as Chromium)
                  --aot          run the gateway with the JDK 25 AOT cache next to its jar (loupe.aot, as
                                 ./loupe does), from the jar itself rather than a scratch copy
                  --aot-train    first train that cache: a gateway run with -XX:AOTCacheOutput under %d s of new
                                 connections, %d s of keep-alive requests, downloads and h2 streams; then --aot
                  --resumption   let the client resume TLS sessions (default: off, every W1 handshake is full)
                  --keep         keep the scratch directory (keys, config, logs)""".formatted(AOT_TRAIN_SECS, AOT_TRAIN_SECS));
        System.exit(problem == null ? 0 : 2);
    }
}
