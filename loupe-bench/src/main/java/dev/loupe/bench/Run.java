package dev.loupe.bench;

import java.util.Map;
import java.util.TreeMap;

/** One measured run (one workload, one mode). Public fields: serialised to results.json as they are. */
public final class Run {
    public String workload;
    public String mode;
    public String unit;
    public long units;
    public long failed;
    public double seconds;
    public long bodyBytes;
    public double throughput;
    public String throughputUnit;
    public double gatewayCpuSeconds;
    /** The kernel's part of gatewayCpuSeconds (stime), when read. */
    public Double gatewaySystemCpuSeconds;
    public double originCpuSeconds;
    public double clientCpuSeconds;
    public Map<String, Long> errors = new TreeMap<>();
    /** Which repetition (1..--reps) of the workload this run belongs to. */
    public int rep = 1;
    // L1 only: per-connection latency, connect to last response byte
    public Double latencyP50Ms;
    public Double latencyP90Ms;
    public Double latencyP99Ms;
    // W4 only: memory readings of the measured process (after a full GC and a native-heap trim)
    public Long measuredPid;
    public ProcStats.Memory memoryBefore;
    public ProcStats.Memory memoryHalf;
    public ProcStats.Memory memoryAfter;
    /** (native RSS + Java heap used) delta per session: the headline W4 figure. */
    public Double liveKiBPerSession;
    /** The same over the second half of the sessions only (no one-off costs of the first ones). */
    public Double liveKiBPerSessionSecondHalf;
    /** Plain VmRSS delta per session (includes heap pages touched and kept after GC). */
    public Double rssKiBPerSession;
    public Double nativeKiBPerSession;
    public Double heapKiBPerSession;
    public Double idleCpuSeconds;
    public Integer sessionsStillOpen;
}
