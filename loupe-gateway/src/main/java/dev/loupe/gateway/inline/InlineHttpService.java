package dev.loupe.gateway.inline;

import dev.loupe.core.config.InlineServiceConfig;
import dev.loupe.core.net.Origin;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inline HTTP service: its devices, which of them are up, and which one a flow goes through. A device
 * is up while a probe sent into it comes back out through Loupe's return listener and returns to the
 * prober, i.e. while the whole loop works, not merely while its port accepts connections.
 */
public final class InlineHttpService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InlineHttpService.class);

    /**
     * One device; {@code up} is written by the prober thread and read by event loops. A device starts out of
     * rotation: it is up only once its first probe has come back (or, for L3 devices without a probe, once
     * probing starts), so "up" on the gauge always means "seen working".
     */
    public static final class Device implements dev.loupe.gateway.pipeline.RouteTarget {
        final String label;
        final Origin address;
        final int mark;
        volatile boolean up;
        /** Whether any probe has judged it yet (the first verdict is always logged). */
        boolean probed;
        /** Why it last left the rotation, for the dashboard. */
        volatile String lastFailure;
        final java.util.concurrent.atomic.LongAdder flowsSent = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder failuresSeen = new java.util.concurrent.atomic.LongAdder();

        Device(String label, Origin address, int mark) {
            this.label = label;
            this.address = address;
            this.mark = mark;
        }

        /** L3: the routing mark whose route crosses this device. */
        public int mark() {
            return mark;
        }

        public Origin address() {
            return address;
        }

        @Override
        public String label() {
            return label;
        }
    }

    private final InlineServiceConfig config;
    private final List<Device> devices = new ArrayList<>();
    private final FlowRegistry flows;
    private final Counter flowCount;
    private final Counter failures;
    private final Gauge upGauge;
    private final io.prometheus.metrics.core.metrics.Histogram latency;
    private ScheduledExecutorService prober;

    /** For tests: series of its own. */
    public InlineHttpService(InlineServiceConfig config, FlowRegistry flows, PrometheusRegistry registry) {
        this(config, flows, new InlineMetrics(registry), null);
    }

    /**
     * With {@code previous} (a reload), devices it also had keep their state (up, probed): traffic does not stop
     * while the new service waits for its first probe.
     */
    public InlineHttpService(InlineServiceConfig config, FlowRegistry flows, InlineMetrics metrics,
                             InlineHttpService previous) {
        this.config = config;
        this.flows = flows;
        for (String d : config.devices()) {
            int colon = d.lastIndexOf(':');
            String host = d.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            devices.add(new Device(d, new Origin(host, Integer.parseInt(d.substring(colon + 1))), 0));
        }
        for (int i = 0; i < config.marks().size(); i++) {
            int mark = config.marks().get(i);
            // an L2 device has no address: the log names the interface pair it bridges
            devices.add(new Device(config.l2() ? config.pairs().get(i).label() : "mark:" + mark, null, mark));
        }
        flowCount = metrics.flows;
        failures = metrics.failures;
        upGauge = metrics.up;
        latency = metrics.latency;
        for (Device d : devices) {
            Device before = previous == null ? null : previous.device(d.label);
            if (before != null && previous.config.name().equals(config.name())) {
                d.up = before.up;
                d.probed = before.probed;
                d.lastFailure = before.lastFailure;
            }
            upGauge.labelValues(config.name(), d.label).set(d.up ? 1 : 0);
        }
    }

    private Device device(String label) {
        return devices.stream().filter(d -> d.label.equals(label)).findFirst().orElse(null);
    }

    /**
     * Probes, once and now, the devices that have never been judged (a reload's new ones), so that they are up
     * (or known down) before use; {@code l3}: the loop probe of an L3 service, null for HTTP.
     */
    public void probeUnjudged(L3Probe l3) {
        this.l3Probe = l3;
        devices.stream().filter(d -> !d.probed).forEach(this::check);
    }

    /** The series of devices this service had and {@code next} does not: gone from the metrics. */
    public void forgetDevicesNotIn(InlineHttpService next) {
        for (Device d : devices) {
            if (!next.config.name().equals(config.name()) || next.device(d.label) == null) {
                upGauge.remove(config.name(), d.label);
            }
        }
    }

    public String name() {
        return config.name();
    }

    public boolean failOpen() {
        return config.failOpen();
    }

    /** L3 or L2: flows cross the device as kernel TCP connections with a mark per device (see the config). */
    public boolean routed() {
        return config.routed();
    }

    public InlineServiceConfig config() {
        return config;
    }

    /** The device for a flow: a hash of the flow picks among the devices that are up; null when none is. */
    public Device pick(int flowHash) {
        int up = 0;
        for (Device d : devices) {
            up += d.up ? 1 : 0;
        }
        if (up == 0) {
            return null;
        }
        int wanted = Math.floorMod(flowHash, up);
        for (Device d : devices) {
            if (d.up && wanted-- == 0) {
                return d;
            }
        }
        return null; // a device went down between the two passes
    }

    public void answered(Device device, long nanos) {
        latency.labelValues(config.name(), device.label).observe(nanos / 1e9);
    }

    public void sent(Device device) {
        device.flowsSent.increment();
        flowCount.labelValues(config.name(), device.label).inc();
    }

    /** A device failed in use: out of rotation until its next probe succeeds. */
    public void failed(Device device, String why) {
        device.failuresSeen.increment();
        failures.labelValues(config.name(), device.label).inc();
        mark(device, false, why);
    }

    /** Probes every device now and then every {@code health-interval}. */
    /**
     * L3 loop probe: sends {@code request} on a connection made through the device (by its mark) and returns
     * what came back; the connection returns to Loupe's TPROXY listener, which answers probes itself.
     */
    @FunctionalInterface
    public interface L3Probe {
        String exchange(Device device, String request, int timeoutMillis) throws IOException;
    }

    private L3Probe l3Probe;

    public void startProbing(L3Probe l3) {
        this.l3Probe = l3;
        prober = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("loupe-inline-probe").factory());
        long every = config.healthInterval().toMillis();
        prober.scheduleWithFixedDelay(() -> devices.forEach(this::check), 0, every, TimeUnit.MILLISECONDS);
    }

    public void startProbing() {
        startProbing(null);
    }

    private void check(Device device) {
        if (!config.routed()) {
            probe(device);
        } else if (config.probeSource() != null && l3Probe != null) {
            probeL3(device);
        } else if (!device.up) {
            mark(device, true, null); // no loop probe configured: try the device again with real traffic
        }
    }

    private void probeL3(Device device) {
        String id = flows.newProbe();
        String request = "GET /loupe-probe/" + id + " HTTP/1.1\r\nHost: loupe-probe.invalid\r\n"
                + FlowRegistry.FLOW_HEADER + ": " + id + "\r\nConnection: close\r\n\r\n";
        try {
            judge(device, id, l3Probe.exchange(device, request, (int) Math.max(500, config.connectTimeout().toMillis())));
        } catch (IOException e) {
            mark(device, false, "probe failed: " + e.getMessage());
        } finally {
            flows.takeProbe(id);
        }
    }

    /** Sends a request for a probe flow into the device; it must come back through the return listener. */
    void probe(Device device) {
        String id = flows.newProbe();
        String request = "GET http://loupe-probe.invalid/" + id + " HTTP/1.1\r\nHost: loupe-probe.invalid\r\n"
                + FlowRegistry.FLOW_HEADER + ": " + id + "\r\nConnection: close\r\n\r\n";
        int timeout = (int) Math.max(500, config.connectTimeout().toMillis());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(device.address.host(), device.address.port()), timeout);
            s.setSoTimeout(timeout * 2);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            judge(device, id, new String(in.readNBytes(16 * 1024), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            mark(device, false, "probe failed: " + e.getMessage());
        } finally {
            flows.takeProbe(id);
        }
    }

    /** A probe passed when Loupe's own answer, naming it, came back through the device. */
    private void judge(Device device, String id, String answer) {
        boolean ok = answer.startsWith("HTTP/1.") && answer.contains(" 200 ") && answer.contains(id);
        mark(device, ok, ok ? null : "probe answered " + answer.lines().findFirst().orElse("nothing"));
    }

    private void mark(Device device, boolean up, String why) {
        if (device.up != up || !device.probed) {
            device.probed = true;
            if (up) {
                log.info("inline {} device {}: back in rotation", config.name(), device.label);
            } else {
                log.warn("inline {} device {}: out of rotation ({})", config.name(), device.label, why);
            }
        }
        if (!up) {
            device.lastFailure = why;
        }
        device.up = up;
        upGauge.labelValues(config.name(), device.label).set(up ? 1 : 0);
    }

    /** The service and its devices as the dashboard shows them. */
    public java.util.Map<String, Object> status() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", config.name());
        m.put("kind", "inline " + config.type());
        m.put("failure_mode", failOpen() ? "fail-open" : "fail-closed");
        m.put("servers", devices.stream().map(d -> {
            java.util.Map<String, Object> dm = new java.util.LinkedHashMap<>();
            dm.put("server", d.label);
            dm.put("up", d.up);
            dm.put("requests", d.flowsSent.sum());
            dm.put("errors", d.failuresSeen.sum());
            dm.put("mean_ms", null);
            dm.put("last_failure", d.lastFailure);
            return dm;
        }).toList());
        return m;
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.shutdownNow();
        }
    }
}
