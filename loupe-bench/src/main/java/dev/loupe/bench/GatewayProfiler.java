package dev.loupe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code --profile}: a CPU profile of the gateway during each proxied workload. async-profiler's
 * {@code libasyncProfiler.so} (Maven Central {@code tools.profiler:async-profiler}, on this jar's class path)
 * is loaded into the running gateway with {@code jcmd PID JVMTI.agent_load} to start before a workload's
 * proxied run (tunnel setup included) and again to stop after it, so warm-up and the other workloads stay
 * out of each profile. Each workload gets a
 * flame graph ({@code profile-W.html}) and collapsed stacks ({@code profile-W.collapsed}), whose hottest
 * frames (self time) the harness prints.
 */
final class GatewayProfiler {
    private static final String RESOURCE = "linux-x64/libasyncProfiler.so";
    private final Path library;
    private final Path out;
    private final String jcmd;

    private GatewayProfiler(Path library, Path out) {
        this.library = library;
        this.out = out;
        this.jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    }

    /** Unpacks the native library into {@code scratch}; fails clearly off linux-x64. */
    static GatewayProfiler unpack(Path scratch, Path out) throws IOException {
        try (InputStream in = GatewayProfiler.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("--profile: " + RESOURCE + " is not on the class path");
            }
            Path lib = scratch.resolve("libasyncProfiler.so");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            return new GatewayProfiler(lib, out);
        }
    }

    void start(long pid) throws IOException, InterruptedException {
        agent(pid, "start,event=cpu,interval=1ms");
    }

    /** Stops profiling and writes this workload's flame graph and collapsed stacks. */
    Path stop(long pid, String workload) throws IOException, InterruptedException {
        Path collapsed = out.resolve("profile-" + workload + ".collapsed");
        Path html = out.resolve("profile-" + workload + ".html");
        agent(pid, "stop,file=" + collapsed.toAbsolutePath() + ",collapsed");
        // the samples are kept until the next start: the same profile again, as a flame graph
        agent(pid, "dump,file=" + html.toAbsolutePath());
        return collapsed;
    }

    private void agent(long pid, String options) throws IOException, InterruptedException {
        // jcmd parses name=value pairs: quoting keeps the agent's option string whole
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "JVMTI.agent_load", library.toString(),
                "\"" + options + "\"").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || output.contains("[ERROR]")) {
            throw new IOException("jcmd JVMTI.agent_load " + options + " failed: " + output.trim());
        }
    }

    /** The {@code n} frames with the most self samples in collapsed stacks, as "percent frame" lines. */
    static List<String> topSelfFrames(Path collapsed, int n) throws IOException {
        Map<String, Long> self = new HashMap<>();
        long total = 0;
        for (String line : Files.readAllLines(collapsed, StandardCharsets.UTF_8)) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            long samples = Long.parseLong(line.substring(space + 1).trim());
            String stack = line.substring(0, space);
            String leaf = stack.substring(stack.lastIndexOf(';') + 1);
            self.merge(leaf, samples, Long::sum);
            total += samples;
        }
        long all = Math.max(1, total);
        List<String> top = new ArrayList<>();
        self.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> top.add(String.format(java.util.Locale.ROOT, "%5.1f%%  %s", 100.0 * e.getValue() / all,
                        e.getKey())));
        return top;
    }
}
