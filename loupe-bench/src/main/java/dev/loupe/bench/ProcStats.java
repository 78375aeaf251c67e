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
        return ticks(pid, false);
    }

    /** The kernel's part of {@link #cpuTicks} (stime): system calls, and the wake-ups they cause. */
    static long systemTicks(long pid) {
        return ticks(pid, true);
    }

    private static long ticks(long pid, boolean systemOnly) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // comm (field 2) may contain spaces; fields after the last ')' start at field 3 (state)
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long system = Long.parseLong(fields[15 - 3]);
            return systemOnly ? system : Long.parseLong(fields[14 - 3]) + system;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU ticks of a process and its live descendants: SSLsplit splits into a privileged parent and a worker
     * child that does the proxying, and a peer's cost is both.
     */
    static long treeCpuTicks(long pid) {
        return treeTicks(pid, false);
    }

    static long treeSystemTicks(long pid) {
        return treeTicks(pid, true);
    }

    private static long treeTicks(long pid, boolean systemOnly) {
        long own = ticks(pid, systemOnly);
        if (own < 0) {
            return own;
        }
        return own + ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                .mapToLong(child -> Math.max(0, ticks(child.pid(), systemOnly))).sum();
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

    /** VmRSS of a process and its live descendants (SSLsplit's parent and worker), in KiB; -1 if unreadable. */
    static long treeRssKiB(long pid) {
        long own = rssKiB(pid);
        if (own < 0) {
            return -1;
        }
        return own + ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                .mapToLong(h -> Math.max(0, rssKiB(h.pid()))).sum();
    }

    /** Runs {@code jcmd PID GC.run}; true if it worked. */
    static boolean fullGc(long pid) {
        return jcmd(pid, "GC.run") != null;
    }

    /**
     * Full GC, then {@code System.trim_native_heap} (glibc malloc_trim, JDK 21+): returns freed malloc
     * memory such as released JIT arenas to the OS, so RSS readings reflect live memory. True if the GC ran.
     */
    static boolean settle(long pid) {
        boolean gc = fullGc(pid);
        jcmd(pid, "System.trim_native_heap");
        return gc;
    }

    /** Java heap in use (sum of the "used" figures of the heap spaces in GC.heap_info) in KiB, or -1. */
    static long heapUsedKiB(long pid) {
        return heapUsedKiB(jcmd(pid, "GC.heap_info"));
    }

    static long heapUsedKiB(String out) {
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

    private static final Pattern HEAP_BOUNDS = Pattern.compile(
            "\\[0x([0-9a-fA-F]+),\\s*0x([0-9a-fA-F]+)(?:,\\s*0x([0-9a-fA-F]+))?\\)");

    /**
     * One memory reading of a JVM: RSS, the resident part of its Java heap reservation (from
     * /proc/PID/smaps, bounded by the addresses GC.heap_info prints), and the heap in use. RSS minus heap
     * RSS is the native memory (malloc, direct buffers, thread stacks, code); heap pages an earlier burst
     * touched stay resident after a GC, so the live figure is native RSS plus heap used.
     */
    record Memory(long rssKiB, long heapResidentKiB, long heapUsedKiB) {
        long nativeKiB() {
            return rssKiB < 0 || heapResidentKiB < 0 ? -1 : rssKiB - heapResidentKiB;
        }

        long liveKiB() {
            return nativeKiB() < 0 || heapUsedKiB < 0 ? -1 : nativeKiB() + heapUsedKiB;
        }
    }

    static Memory memory(long pid) {
        long rss = rssKiB(pid);
        String info = jcmd(pid, "GC.heap_info");
        if (info == null) {
            return new Memory(rss, -1, -1);
        }
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        Matcher m = HEAP_BOUNDS.matcher(info);
        while (m.find()) {
            long start = Long.parseUnsignedLong(m.group(1), 16);
            long end = Long.parseUnsignedLong(m.group(m.group(3) != null ? 3 : 2), 16);
            lo = Math.min(lo, start);
            hi = Math.max(hi, end);
        }
        long heapRss = lo < hi ? rssInRangeKiB(pid, lo, hi) : -1;
        return new Memory(rss, heapRss, heapUsedKiB(info));
    }

    /** Sum of the Rss of the mappings of {@code pid} that lie inside [lo, hi), from /proc/PID/smaps. */
    static long rssInRangeKiB(long pid, long lo, long hi) {
        try {
            long sum = 0;
            boolean inside = false;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && line.substring(0, dash).chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    inside = start >= lo && end <= hi;
                } else if (inside && line.startsWith("Rss:")) {
                    sum += Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
