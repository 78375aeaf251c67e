package dev.loupe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-process CPU and memory figures from Linux /proc, plus {@code jcmd} for a full GC and the Java heap
 * occupancy of another JVM.
 */
final class ProcStats {
    private static final Pattern HEAP_LINE = Pattern.compile("total \\d+K, used (\\d+)K");
    static final long CLOCK_TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /** utime + stime of {@code pid} in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // comm (field 2) may contain spaces; fields after the last ')' start at field 3 (state)
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static double ticksToSeconds(long ticks) {
        return ticks / (double) CLOCK_TICKS_PER_SECOND;
    }

    /** Resident set size in KiB (VmRSS in /proc/PID/status), or -1. */
    static long rssKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** Runs {@code jcmd PID GC.run}; true if it worked. */
    static boolean fullGc(long pid) {
        return jcmd(pid, "GC.run") != null;
    }

    /** Java heap in use (sum of the "used" figures of the heap spaces in GC.heap_info) in KiB, or -1. */
    static long heapUsedKiB(long pid) {
        String out = jcmd(pid, "GC.heap_info");
        if (out == null) {
            return -1;
        }
        long used = 0;
        boolean found = false;
        for (String line : out.lines().toList()) {
            String t = line.trim();
            if (t.startsWith("Metaspace") || t.startsWith("class space")) {
                continue;
            }
            Matcher m = HEAP_LINE.matcher(t);
            if (m.find()) {
                used += Long.parseLong(m.group(1));
                found = true;
            }
        }
        return found ? used : -1;
    }

    static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | RuntimeException e) {
            // default below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
