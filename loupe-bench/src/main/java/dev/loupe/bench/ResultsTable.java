package dev.loupe.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The harness's summary table: per workload the direct, proxied (Loupe) and SSLsplit runs of one harness run,
 * throughput kept through the gateway, CPU per unit against the goals and Loupe's CPU per unit over SSLsplit's.
 */
final class ResultsTable {
    private static final long MIB = 1024L * 1024;

    private ResultsTable() {
    }

    /** CPU per unit as text in the unit the goal is stated in. */
    static String perUnit(String workload, double cpuSeconds, Run r) {
        if (r.units <= 0) {
            return "n/a";
        }
        return switch (kind(workload)) {
            case "W1" -> String.format(Locale.ROOT, "%.3f ms/conn", cpuSeconds * 1e3 / r.units);
            case "W2" -> String.format(Locale.ROOT, "%.1f µs/req", cpuSeconds * 1e6 / r.units);
            case "W3" -> String.format(Locale.ROOT, "%.2f s/GB", cpuSeconds / (r.bodyBytes / 1e9));
            case "W4" -> String.format(Locale.ROOT, "%.3f ms/session", cpuSeconds * 1e3 / r.units);
            case "L1" -> String.format(Locale.ROOT, "%.3f ms/conn", cpuSeconds * 1e3 / r.units);
            default -> "?";
        };
    }

    static double perUnitValue(String workload, double cpuSeconds, Run r) {
        if (r.units <= 0) {
            return Double.NaN;
        }
        return switch (kind(workload)) {
            case "W1", "L1" -> cpuSeconds * 1e3 / r.units;
            case "W2" -> cpuSeconds * 1e6 / r.units;
            case "W3" -> cpuSeconds / (r.bodyBytes / 1e9);
            default -> Double.NaN;
        };
    }

    /** W2H2 is reported as W2 is (units, goal), W3H2 as W3. */
    static String kind(String workload) {
        return workload.substring(0, 2);
    }

    private static final Map<String, Double> GOALS = Map.of("W1", 0.9, "W2", 40.0, "W3", 1.1, "W4", 25.0);
    /** L1's goal: the p50 latency a new intercepted connection adds over a direct one. */
    private static final double L1_ADDED_P50_GOAL_MS = 1.5;
    private static final Map<String, String> GOAL_TEXT = Map.of("W1", "< 0.9 ms/conn", "W2", "< 40 µs/req",
            "W3", "< 1.1 s/GB", "W4", "< 25 KiB/session");

    /**
     * The table; with several repetitions, each cell comes from the median run of its workload and mode (by CPU
     * per unit; W4 by memory per session, L1 by p50 latency), so a row's figures stay those of one run.
     */
    static String render(List<Run> runs, LoadHarness.Plan plan, int reps) {
        Map<String, List<List<Run>>> all = new LinkedHashMap<>();
        for (Run r : runs) {
            all.computeIfAbsent(r.workload, k -> List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()))
                    .get(switch (r.mode) {
                        case "direct" -> 0;
                        case "proxied" -> 1;
                        default -> 2;
                    }).add(r);
        }
        Map<String, Run[]> byWorkload = new LinkedHashMap<>();
        all.forEach((w, modes) -> byWorkload.put(w, modes.stream().map(ResultsTable::median)
                .toArray(Run[]::new)));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Workload", "Direct", "Proxied", "Proxied/direct", "Gateway CPU/unit", "Goal", "Met",
            "Gateway cores", "Origin CPU/unit (direct)", "SSLsplit CPU/unit", "Loupe/SSLsplit CPU", "Errors d/p/s"});
        for (var e : byWorkload.entrySet()) {
            Run d = e.getValue()[0];
            Run p = e.getValue()[1];
            Run peer = e.getValue()[2];
            String w = e.getKey();
            if (d == null || p == null) {
                continue;
            }
            String errs = d.failed + "/" + p.failed + "/" + (peer == null ? "-" : peer.failed);
            if (w.equals("W4")) {
                rows.add(new String[] {
                    "W4 KiB/idle session (" + plan.w4Sessions() + "): native RSS + heap used",
                    fmt1(d.liveKiBPerSession), fmt1(p.liveKiBPerSession), ratio(p.liveKiBPerSession, d.liveKiBPerSession),
                    perUnit(w, p.gatewayCpuSeconds, p) + " setup", GOAL_TEXT.get(w),
                    p.liveKiBPerSession == null || p.liveKiBPerSession <= 0 ? "?"
                            : p.liveKiBPerSession < GOALS.get(w) ? "yes" : "NO",
                    String.format(Locale.ROOT, "%.2f", p.gatewayCpuSeconds / p.seconds),
                    perUnit(w, d.originCpuSeconds, d) + " setup",
                    peer == null ? "" : fmt1(peer.liveKiBPerSession) + " KiB/session (RSS)",
                    peer == null ? "" : ratio(p.liveKiBPerSession, peer.liveKiBPerSession) + " (memory)", errs});
                rows.add(new String[] {"W4   same, 2nd half of the sessions only", fmt1(d.liveKiBPerSessionSecondHalf),
                    fmt1(p.liveKiBPerSessionSecondHalf),
                    ratio(p.liveKiBPerSessionSecondHalf, d.liveKiBPerSessionSecondHalf), "", "", "", "", "", "", "", ""});
                rows.add(new String[] {"W4   of which Java heap used", fmt1(d.heapKiBPerSession),
                    fmt1(p.heapKiBPerSession), ratio(p.heapKiBPerSession, d.heapKiBPerSession), "", "", "", "", "", "", "", ""});
                rows.add(new String[] {"W4   plain VmRSS delta", fmt1(d.rssKiBPerSession), fmt1(p.rssKiBPerSession),
                    ratio(p.rssKiBPerSession, d.rssKiBPerSession), "", "", "", "", "", "", "", ""});
                continue;
            }
            if (w.equals("L1")) {
                rows.add(latencyRow(d, p, peer, errs));
                continue;
            }
            String label = switch (w) {
                case "W1" -> "W1 new conn/s (1 KiB GET each)";
                case "W2" -> "W2 keep-alive req/s (" + plan.w2Tunnels() + " tunnels)";
                case "W3" -> "W3 MB/s (" + plan.w3Downloads() + " x " + plan.w3Bytes() / MIB + " MiB)";
                case "W2H2" -> "W2H2 req/s (" + plan.w2Tunnels() + " h2 streams on 1 connection)";
                case "W3H2" -> "W3H2 MB/s (" + plan.w3Downloads() + " x " + plan.w3Bytes() / MIB + " MiB, h2 streams on 1"
                        + " connection)";
                default -> w;
            };
            double gw = perUnitValue(w, p.gatewayCpuSeconds, p);
            rows.add(new String[] {label, fmt1(d.throughput), fmt1(p.throughput), ratio(p.throughput, d.throughput),
                perUnit(w, p.gatewayCpuSeconds, p), GOAL_TEXT.get(kind(w)),
                Double.isNaN(gw) ? "?" : gw < GOALS.get(kind(w)) ? "yes" : "NO",
                String.format(Locale.ROOT, "%.2f", p.gatewayCpuSeconds / p.seconds),
                perUnit(w, d.originCpuSeconds, d),
                peer == null ? "-" : perUnit(w, peer.gatewayCpuSeconds, peer),
                peer == null ? "-" : ratio(gw, perUnitValue(w, peer.gatewayCpuSeconds, peer)), errs});
        }
        String table = format(rows);
        return reps > 1 ? "Medians of " + reps + " repetitions (modes interleaved in each):\n" + table : table;
    }

    private static String[] latencyRow(Run d, Run p, Run peer, String errs) {
        double added = p.latencyP50Ms - d.latencyP50Ms;
        return new String[] {"L1 new connection latency p50 ms, c=1 (+ added over direct)",
            String.format(Locale.ROOT, "%.3f", d.latencyP50Ms),
            String.format(Locale.ROOT, "%.3f (+%.3f)", p.latencyP50Ms, added),
            ratio(p.latencyP50Ms, d.latencyP50Ms), perUnit("L1", p.gatewayCpuSeconds, p),
            String.format(Locale.ROOT, "added < %.1f ms", L1_ADDED_P50_GOAL_MS),
            Double.isNaN(added) ? "?" : added < L1_ADDED_P50_GOAL_MS ? "yes" : "NO",
            String.format(Locale.ROOT, "%.2f", p.gatewayCpuSeconds / p.seconds), perUnit("L1", d.originCpuSeconds, d),
            peer == null ? "-" : String.format(Locale.ROOT, "%.3f (+%.3f)", peer.latencyP50Ms,
                    peer.latencyP50Ms - d.latencyP50Ms),
            peer == null ? "-" : ratio(added, peer.latencyP50Ms - d.latencyP50Ms) + " (added)", errs};
    }

    /** The warm-up curve: CPU per connection in each window, and over the steady (median measured) W1. */
    static String renderCurve(List<Run> windows, List<Run> runs) {
        Run steady = median(runs.stream()
                .filter(r -> r.workload.equals("W1") && r.mode.equals("proxied")).toList());
        double steadyMs = steady == null ? Double.NaN : perUnitValue("W1", steady.gatewayCpuSeconds, steady);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Window from gateway start", "Connections", "Gateway CPU/conn", "Over steady W1"});
        for (Run r : windows) {
            rows.add(new String[] {r.workload, String.valueOf(r.units), perUnit("W1", r.gatewayCpuSeconds, r),
                ratio(perUnitValue("W1", r.gatewayCpuSeconds, r), steadyMs)});
        }
        return "Warm-up curve (proxied W1 before any warm-up; steady = the measured W1 proxied, "
                + (Double.isNaN(steadyMs) ? "not run" : String.format(Locale.ROOT, "%.3f ms/conn", steadyMs)) + "):\n"
                + format(rows);
    }

    /** The median run by the figure its workload is judged on; null for none. */
    static Run median(List<Run> runs) {
        if (runs.isEmpty()) {
            return null;
        }
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(ResultsTable::judgedBy));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static double judgedBy(Run r) {
        return switch (kind(r.workload)) {
            case "W4" -> r.liveKiBPerSession == null ? Double.NaN : r.liveKiBPerSession;
            case "L1" -> r.latencyP50Ms == null ? Double.NaN : r.latencyP50Ms;
            default -> perUnitValue(r.workload, r.gatewayCpuSeconds, r);
        };
    }

    private static String format(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            sb.append('|');
            for (int i = 0; i < row.length; i++) {
                sb.append(' ').append(pad(row[i], widths[i])).append(" |");
            }
            sb.append('\n');
            if (k == 0) {
                sb.append('|');
                for (int width : widths) {
                    sb.append("-".repeat(width + 2)).append('|');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    static String fmt1(Double v) {
        return v == null || v.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null || b == 0 || a.isNaN() || b.isNaN() ? "n/a"
                : String.format(Locale.ROOT, "%.2f", a / b);
    }

    /** The line a run prints as it ends (the errors it met below it). */
    static void printRun(Run r, LoadHarness.Plan plan) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s %-7s ", r.workload, r.mode));
        switch (kind(r.workload)) {
            case "W1" -> sb.append(String.format(Locale.ROOT, "%,d connections in %.2f s = %.1f conn/s", r.units,
                    r.seconds, r.throughput));
            case "W2" -> sb.append(String.format(Locale.ROOT, "%,d requests in %.2f s = %.0f req/s", r.units,
                    r.seconds, r.throughput));
            case "W3" -> sb.append(String.format(Locale.ROOT, "%d/%d downloads OK, %,d bytes in %.2f s = %.1f MB/s",
                    r.units, plan.w3Downloads(), r.bodyBytes, r.seconds, r.throughput));
            case "W4" -> sb.append(String.format(Locale.ROOT,
                    "%d/%d sessions opened in %.2f s; pid %d KiB/session: native RSS + heap used %s (2nd half %s),"
                            + " native RSS %s, heap used %s, plain RSS %s; RSS %,d -> %,d -> %,d KiB, heap resident"
                            + " %,d -> %,d -> %,d KiB, heap used %,d -> %,d -> %,d KiB; %.2f s CPU while idle %d s",
                    r.units, plan.w4Sessions(), r.seconds, r.measuredPid, fmt1(r.liveKiBPerSession),
                    fmt1(r.liveKiBPerSessionSecondHalf), fmt1(r.nativeKiBPerSession), fmt1(r.heapKiBPerSession),
                    fmt1(r.rssKiBPerSession), r.memoryBefore.rssKiB(), r.memoryHalf.rssKiB(), r.memoryAfter.rssKiB(),
                    r.memoryBefore.heapResidentKiB(), r.memoryHalf.heapResidentKiB(), r.memoryAfter.heapResidentKiB(),
                    r.memoryBefore.heapUsedKiB(), r.memoryHalf.heapUsedKiB(), r.memoryAfter.heapUsedKiB(),
                    r.idleCpuSeconds, plan.w4HoldSecs()));
            case "L1" -> sb.append(String.format(Locale.ROOT,
                    "%,d connections one at a time in %.2f s; latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms",
                    r.units, r.seconds, r.latencyP50Ms, r.latencyP90Ms, r.latencyP99Ms));
            default -> {
            }
        }
        sb.append(String.format(Locale.ROOT, "; CPU s: gateway %.2f (%.2f cores%s), origin %.2f, client %.2f",
                r.gatewayCpuSeconds, r.gatewayCpuSeconds / r.seconds, r.gatewaySystemCpuSeconds == null ? ""
                        : String.format(Locale.ROOT, ", %.0f%% in the kernel",
                        100 * r.gatewaySystemCpuSeconds / Math.max(r.gatewayCpuSeconds, 1e-9)),
                r.originCpuSeconds, r.clientCpuSeconds));
        sb.append("; errors ").append(r.failed);
        System.out.println(sb);
        r.errors.forEach((k, v) -> System.out.println("    error x" + v + ": " + k));
        if (r.liveKiBPerSession != null && r.liveKiBPerSession <= 0) {
            System.out.println("    note: memory fell between the readings (allocator trimming or pool release"
                    + " outweighed the sessions): not meaningful at this session count");
        }
    }
}
