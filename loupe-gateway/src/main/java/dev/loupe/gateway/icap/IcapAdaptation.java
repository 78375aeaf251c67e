package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import dev.loupe.core.config.IcapConfig;
import dev.loupe.core.config.IcapServiceConfig;
import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.IcapResult;
import dev.loupe.gateway.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ICAP services of a gateway and the chain that runs them: REQMOD services in order on a request, then
 * RESPMOD services in order on its response; each sees the message as the previous one left it. Each of the
 * gateway's event loops has its own copy of the services (own connection pools, no locks) and runs the ICAP
 * work of the clients it serves, so a message never changes threads; a server's health is shared by all
 * copies ({@link ServerHealth}).
 */
public final class IcapAdaptation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IcapAdaptation.class);

    private final IcapConfig config;
    /** Owned only when created without the gateway's loops (tests, tools): shut down on close. */
    private final EventLoopGroup ownGroup;
    private final EventLoopGroup group;
    /** The loop of the prototype services: the background OPTIONS probes run here. */
    private final EventLoop loop;
    private final Transport transport;
    private final List<IcapService> reqmod = new ArrayList<>();
    private final List<IcapService> respmod = new ArrayList<>();
    /** Each other event loop's own copy of the services (own connections, shared health). */
    private final java.util.Map<EventLoop, java.util.Map<IcapService, IcapService>> perLoop;
    private final IcapMetrics metrics;

    private IcapAdaptation(IcapConfig config, Transport transport, EventLoopGroup loops, IcapMetrics metrics) {
        this(config, transport, loops, metrics, null);
    }

    /** With {@code previous}, its services whose configuration is unchanged are kept (their pools and health). */
    private IcapAdaptation(IcapConfig config, Transport transport, EventLoopGroup loops, IcapMetrics metrics,
                           IcapAdaptation previous) {
        this.config = config;
        this.metrics = metrics;
        this.transport = transport;
        this.ownGroup = previous != null ? null
                : loops == null ? transport.newGroup(1, new DefaultThreadFactory("loupe-icap", true)) : null;
        this.group = previous != null ? previous.group : loops != null ? loops : ownGroup;
        this.loop = previous != null ? previous.loop : group.next();
        this.perLoop = previous != null ? previous.perLoop : new java.util.concurrent.ConcurrentHashMap<>();
        int count = 0;
        for (var ignored : group) {
            count++;
        }
        for (IcapServiceConfig service : config.services()) {
            IcapService kept = previous == null ? null : previous.keepable(service, config);
            IcapService s = kept != null ? kept : new IcapService(service, loop, template(loop), metrics,
                    config.spoolMemoryBytes(), config.spoolDirectory(), count);
            (service.reqmod() ? reqmod : respmod).add(s);
        }
    }

    /** The running service a reload can keep for {@code wanted}: same settings, same spool. */
    private IcapService keepable(IcapServiceConfig wanted, IcapConfig next) {
        if (!next.spoolMemoryBytes().equals(config.spoolMemoryBytes())
                || !java.util.Objects.equals(next.spoolDirectory(), config.spoolDirectory())) {
            return null;
        }
        for (IcapService s : all()) {
            if (s.config().equals(wanted)) {
                return s;
            }
        }
        return null;
    }

    private List<IcapService> all() {
        List<IcapService> all = new ArrayList<>(reqmod);
        all.addAll(respmod);
        return all;
    }

    /**
     * The adaptation a reload to {@code next} starts new connections on: services whose settings did not change
     * are the same objects (their connections stay open, no reconnect storm); new or changed ones start and
     * probe; removed or changed ones are retired: no more probes, their connections close as the transactions
     * of connections still on the old snapshot end. Null when {@code next} has no service.
     */
    public IcapAdaptation reconfigured(IcapConfig next) {
        IcapAdaptation successor = next.enabled() ? new IcapAdaptation(next, transport, null, metrics, this) : null;
        List<IcapService> kept = successor == null ? List.of() : successor.all();
        List<IcapService> retired = all().stream().filter(s -> !kept.contains(s)).toList();
        loop.execute(() -> {
            retired.forEach(IcapService::retire);
            if (successor != null) {
                successor.all().stream().filter(s -> !all().contains(s)).forEach(IcapService::startProbing);
            }
        });
        perLoop.forEach((l, copies) -> l.execute(() -> retired.forEach(p -> {
            IcapService copy = copies.remove(p);
            if (copy != null) {
                copy.retire();
            }
        })));
        java.util.Set<List<String>> live = new java.util.HashSet<>();
        kept.forEach(s -> s.servers().forEach(server -> live.add(List.of(s.config().name(), server.label()))));
        retired.forEach(s -> s.servers().forEach(server -> {
            if (!live.contains(List.of(s.config().name(), server.label()))) {
                metrics.up.remove(s.config().name(), server.label());
            }
        }));
        log.info("ICAP reconfigured: {} service(s) kept with their connections, {} started, {} retired",
                kept.stream().filter(all()::contains).count(), kept.stream().filter(s -> !all().contains(s)).count(),
                retired.size());
        return successor;
    }


    /**
     * The first service (REQMOD, then RESPMOD) with {@code non-http: block} whose host scope covers {@code host}:
     * why a stream that is not HTTP must be refused; empty when none applies.
     */
    public java.util.Optional<String> refusesNonHttp(String host) {
        for (List<IcapService> chain : List.of(reqmod, respmod)) {
            for (IcapService s : chain) {
                if (s.config().blocksNonHttp() && s.scope().coversHost(host)) {
                    return java.util.Optional.of("ICAP service " + s.config().name() + " ("
                            + s.config().failureMode() + ") cannot scan a stream that is not HTTP (non-http: block)");
                }
            }
        }
        return java.util.Optional.empty();
    }

    private Bootstrap template(EventLoop on) {
        return new Bootstrap().group(on).channel(transport.socketChannel());
    }

    /** The service as served from {@code on}: ICAP connections live on the client's own loop (no hand-offs). */
    private IcapService local(EventLoop on, IcapService prototype) {
        if (on == loop) {
            return prototype;
        }
        var copies = perLoop.computeIfAbsent(on, l -> new java.util.HashMap<>());
        IcapService copy = copies.get(prototype);
        if (copy == null) {
            copy = prototype.forLoop(on, template(on));
            // a retired service (a connection still on the snapshot before a reload) is not cached: nothing would close it
            if (!prototype.retired()) {
                copies.put(prototype, copy);
            }
        }
        return copy;
    }

    /** Null when no service is configured: the relay then never spools anything. */
    public static IcapAdaptation start(IcapConfig config, Transport transport, IcapMetrics metrics) {
        return start(config, transport, null, metrics);
    }

    /**
     * With {@code loops} (the gateway's), each loop talks ICAP itself for the connections it serves; without,
     * a loop of its own does (a hand-off each way).
     */
    public static IcapAdaptation start(IcapConfig config, Transport transport, EventLoopGroup loops,
                                       IcapMetrics metrics) {
        if (!config.enabled()) {
            return null;
        }
        IcapAdaptation adaptation = new IcapAdaptation(config, transport, loops, metrics);
        adaptation.loop.execute(() -> {
            adaptation.reqmod.forEach(IcapService::startProbing);
            adaptation.respmod.forEach(IcapService::startProbing);
        });
        log.info("ICAP: {} REQMOD and {} RESPMOD service(s)", adaptation.reqmod.size(), adaptation.respmod.size());
        return adaptation;
    }

    /** {@link #select(boolean, String, String, String, long)} for a body of unknown length. */
    public IcapSelection select(boolean isRequest, String host, String method, String contentType) {
        return select(isRequest, host, method, contentType, -1);
    }

    /**
     * The services in scope for a message, before its body is in hand. A declared length over a service's
     * limit skips that service at once when it would skip anyway, so such a body is never held for it;
     * otherwise limits are applied to the body actually received.
     *
     * @param contentType   of the message whose body would be scanned
     * @param declaredBytes its Content-Length, -1 when unknown
     */
    public IcapSelection select(boolean isRequest, String host, String method, String contentType, long declaredBytes) {
        return select(isRequest, host, method, contentType, declaredBytes, dev.loupe.core.policy.ServiceChain.ALL);
    }

    /** As above, skipping the services the connection's rule left out of its chain (they are not logged). */
    public IcapSelection select(boolean isRequest, String host, String method, String contentType, long declaredBytes,
                            dev.loupe.core.policy.ServiceChain chain) {
        List<Object> steps = new ArrayList<>();
        for (IcapService service : isRequest ? reqmod : respmod) {
            if (!chain.allows(service.config().name())) {
                continue;
            }
            String excluded = service.scope().excludes(host, method, contentType);
            if (excluded == null && declaredBytes >= 0 && service.scope().overLimit(declaredBytes)) {
                String why = "body over max-body-bytes (" + service.config().maxBodyBytes() + ")";
                if (service.config().blockOverMax()) {
                    // refused before a byte of the body is held
                    steps.add(new IcapResult(service.config().name(), service.config().mode(), IcapResult.BLOCKED, why,
                            null, -1));
                    metrics.results.labelValues(service.config().name(), IcapResult.BLOCKED).inc();
                    return new IcapSelection(List.copyOf(steps));
                }
                excluded = why;
            }
            steps.add(excluded == null ? service
                    : IcapResult.notScanned(service.config().name(), service.config().mode(), excluded));
        }
        return new IcapSelection(List.copyOf(steps));
    }

    /** Each service with its servers' health, in chain order (REQMOD, then RESPMOD), for the dashboard. */
    public List<java.util.Map<String, Object>> status() {
        List<java.util.Map<String, Object>> out = new ArrayList<>();
        for (IcapService s : all()) {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("name", s.config().name());
            m.put("kind", "icap " + s.config().mode());
            m.put("failure_mode", s.config().failureMode());
            m.put("servers", s.servers().stream().map(IcapServer::describe).toList());
            out.add(m);
        }
        return out;
    }

    /** Fail-open only when every service is: then no service's failure stops a message. */
    public boolean allFailOpen() {
        return config.services().stream().allMatch(IcapServiceConfig::failOpen);
    }

    /**
     * The longest one message's walk through every service of a phase can rightly take: each service's connect
     * and transaction timeouts, for every try. Past it the walk is stuck, not slow.
     */
    public java.time.Duration longestChain() {
        java.time.Duration reqmodTotal = java.time.Duration.ZERO;
        java.time.Duration respmodTotal = java.time.Duration.ZERO;
        for (IcapServiceConfig s : config.services()) {
            java.time.Duration one = s.connectTimeout().plus(s.timeout()).multipliedBy(1L + s.retries());
            if (s.reqmod()) {
                reqmodTotal = reqmodTotal.plus(one);
            } else {
                respmodTotal = respmodTotal.plus(one);
            }
        }
        return reqmodTotal.compareTo(respmodTotal) > 0 ? reqmodTotal : respmodTotal;
    }

    /** For a message no service will see: the results to log, counted like any other. */
    public List<IcapResult> noneApplies(IcapSelection selection) {
        List<IcapResult> skipped = selection.skipped().stream()
                .filter(r -> r.result().equals(IcapResult.NOT_SCANNED)).toList();
        skipped.forEach(r -> metrics.results.labelValues(r.service(), IcapResult.NOT_SCANNED).inc());
        return skipped;
    }

    public BodySpool newSpool() {
        return new BodySpool(config.spoolMemoryBytes(), config.spoolDirectory());
    }

    /** A body that grew past every selected service's limit: what to log, and the service that blocks it, if any. */
    public record OverLimit(String blockedBy, List<IcapResult> results) {
    }

    public OverLimit overLimit(IcapSelection selection) {
        List<IcapResult> results = new ArrayList<>(selection.skipped());
        String blockedBy = null;
        for (IcapService s : selection.services()) {
            IcapServiceConfig sc = s.config();
            String why = "body over max-body-bytes (" + sc.maxBodyBytes() + ")";
            boolean block = sc.blockOverMax();
            if (block && blockedBy == null) {
                blockedBy = sc.name();
            }
            String result = block ? IcapResult.BLOCKED : IcapResult.NOT_SCANNED;
            results.add(new IcapResult(sc.name(), sc.mode(), result, why, null, -1));
            metrics.results.labelValues(sc.name(), result).inc();
        }
        return new OverLimit(blockedBy, List.copyOf(results));
    }

    /**
     * Runs the selected services on {@code message}; {@code done} runs on {@code replyOn}. When that is one of
     * this adaptation's event loops, the ICAP work runs there too.
     */
    public void adapt(IcapMessage message, IcapSelection selection, Executor replyOn, Consumer<Adapted> done) {
        EventLoop on = replyOn instanceof EventLoop l && l.parent() == group ? l : loop;
        IcapChain chain = new IcapChain(message, selection, on, metrics, this::local,
                result -> replyOn.execute(() -> done.accept(result)));
        if (on.inEventLoop()) {
            chain.step(0);
        } else {
            on.execute(() -> chain.step(0));
        }
    }

    @Override
    public void close() {
        try {
            loop.execute(() -> {
                reqmod.forEach(IcapService::close);
                respmod.forEach(IcapService::close);
            });
            perLoop.forEach((l, services) -> l.execute(() -> services.values().forEach(IcapService::close)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the gateway's loops are already gone, and their channels with them
        }
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
