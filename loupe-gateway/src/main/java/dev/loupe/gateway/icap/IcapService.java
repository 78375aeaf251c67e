package dev.loupe.gateway.icap;

import dev.loupe.core.config.IcapServiceConfig;
import dev.loupe.core.icap.IcapOptions;
import dev.loupe.core.icap.ServiceScope;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One configured ICAP service: picks a server (round-robin or least-connections among those in rotation),
 * makes sure its OPTIONS are current, runs the transaction, and on failure retries on another server
 * (the whole message is spooled, so any transaction can be repeated). One instance per event loop, confined to it.
 */
final class IcapService {
    /** What a service did with a job, and where. */
    record Answer(TransactionResult result, String server, long nanos) {
    }

    private final IcapServiceConfig config;
    private final ServiceScope scope;
    private final List<IcapServer> servers = new ArrayList<>();
    private final EventLoop loop;
    private final long spoolMemory;
    private final Path spoolDirectory;
    private int next;
    private io.netty.util.concurrent.ScheduledFuture<?> probes;
    private volatile boolean retired;

    IcapService(IcapServiceConfig config, EventLoop loop, Bootstrap template, IcapMetrics metrics, long spoolMemory,
                Path spoolDirectory, int loops) {
        this.config = config;
        this.scope = new ServiceScope(config);
        this.loop = loop;
        this.spoolMemory = spoolMemory;
        this.spoolDirectory = spoolDirectory;
        for (URI uri : config.servers()) {
            servers.add(new IcapServer(config.name(), uri, config, template, metrics, null, loops));
        }
    }

    private IcapService(IcapService prototype, EventLoop loop, Bootstrap template) {
        this.config = prototype.config;
        this.scope = prototype.scope;
        this.loop = loop;
        this.spoolMemory = prototype.spoolMemory;
        this.spoolDirectory = prototype.spoolDirectory;
        for (IcapServer server : prototype.servers) {
            servers.add(server.forLoop(template));
        }
        this.retired = prototype.retired;
    }

    /** This service on another event loop: connections of its own, health shared with this one. */
    IcapService forLoop(EventLoop other, Bootstrap template) {
        return new IcapService(this, other, template);
    }

    IcapServiceConfig config() {
        return config;
    }

    ServiceScope scope() {
        return scope;
    }

    /** OPTIONS to every server now, and to servers out of rotation whenever they are due for a probe. */
    void startProbing() {
        servers.forEach(server -> fetchOptions(server, ok -> { }));
        long period = config.reviveAfter().toMillis();
        probes = loop.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            for (IcapServer server : servers) {
                if (server.isDown() && server.selectable(now)) {
                    fetchOptions(server, ok -> { });
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code job} on this service; {@code done} is called once, on this service's event loop. */
    void run(IcapJob job, Consumer<Answer> done) {
        attempt(job, new HashSet<>(), config.retries() + 1, null, done);
    }

    private void attempt(IcapJob job, Set<IcapServer> tried, int attemptsLeft, String lastFailure,
                         Consumer<Answer> done) {
        IcapServer server = attemptsLeft > 0 ? pick(tried) : null;
        if (server == null) {
            String reason = lastFailure != null ? lastFailure
                    : "no server available (" + servers.size() + " configured, all out of rotation)";
            done.accept(new Answer(new TransactionResult.Failed(reason), null, 0));
            return;
        }
        tried.add(server);
        IcapOptions options = server.freshOptions(System.nanoTime());
        if (options != null) {
            runOn(server, options, job, tried, attemptsLeft, done);
            return;
        }
        fetchOptions(server, fetched -> {
            if (fetched != null) {
                runOn(server, fetched, job, tried, attemptsLeft, done);
            } else {
                attempt(job, tried, attemptsLeft - 1, server.label() + ": OPTIONS failed", done);
            }
        });
    }

    private void runOn(IcapServer server, IcapOptions options, IcapJob job, Set<IcapServer> tried, int attemptsLeft,
                       Consumer<Answer> done) {
        if (!options.supports(job.method())) {
            done.accept(new Answer(new TransactionResult.Skipped(server.label() + " does not offer " + job.method()),
                    server.label(), 0));
            return;
        }
        if (job.hasBody() && options.transferFor(job.extension()) == IcapOptions.Transfer.IGNORE) {
            done.accept(new Answer(new TransactionResult.Skipped("Transfer-Ignore lists ." + job.extension()),
                    server.label(), 0));
            return;
        }
        server.acquire(connection -> {
            if (connection == null) {
                server.recordFailure("cannot connect");
                attempt(job, tried, attemptsLeft - 1, server.label() + ": cannot connect", done);
                return;
            }
            long start = System.nanoTime();
            connection.start(new IcapTransaction(withConfiguredHeaders(job), server.uri(), options, config.preview(),
                    config.timeout(),
                    spoolMemory, spoolDirectory, result -> {
                        long nanos = System.nanoTime() - start;
                        if (result instanceof TransactionResult.Failed failed) {
                            server.recordFailure(failed.reason());
                            if (server.isDown()) {
                                server.failWaiting();
                            }
                            attempt(job, tried, attemptsLeft - 1, server.label() + ": " + failed.reason(), done);
                        } else {
                            server.recordSuccess(nanos);
                            done.accept(new Answer(result, server.label(), nanos));
                        }
                    }));
        });
    }

    /** OPTIONS on {@code server}; {@code then} gets the options, or null on failure. */
    private void fetchOptions(IcapServer server, Consumer<IcapOptions> then) {
        server.acquire(connection -> {
            if (connection == null) {
                server.recordFailure("cannot connect");
                then.accept(null);
                return;
            }
            long start = System.nanoTime();
            connection.start(IcapTransaction.options(server.uri(), config.timeout(), result -> {
                if (result instanceof TransactionResult.Options o) {
                    server.optionsReceived(o.options());
                    server.recordSuccess(System.nanoTime() - start);
                    then.accept(o.options());
                } else {
                    server.recordFailure(result instanceof TransactionResult.Failed f ? f.reason() : "bad OPTIONS");
                    then.accept(null);
                }
            }));
        });
    }

    /** A server in rotation if there is one; a down server due for its probe only when none is up. */
    private IcapServer pick(Set<IcapServer> tried) {
        IcapServer up = pick(tried, false);
        return up != null ? up : pick(tried, true);
    }

    private IcapServer pick(Set<IcapServer> tried, boolean downOnes) {
        long now = System.nanoTime();
        int n = servers.size();
        IcapServer best = null;
        for (int i = 0; i < n; i++) {
            IcapServer candidate = servers.get((next + i) % n);
            if (tried.contains(candidate) || candidate.isDown() != downOnes || !candidate.selectable(now)) {
                continue;
            }
            if (best == null) {
                best = candidate;
                if (config.balance().equals("round-robin")) {
                    break;
                }
            } else if (candidate.load() < best.load()) {
                best = candidate;
            }
        }
        next = (next + 1) % n;
        return best;
    }

    void close() {
        servers.forEach(IcapServer::close);
    }

    /** No more probes; connections close as their transactions end (see {@link IcapServer#retire}). */
    void retire() {
        retired = true;
        if (probes != null) {
            probes.cancel(false);
        }
        servers.forEach(IcapServer::retire);
    }

    boolean retired() {
        return retired;
    }

    /** For the dashboard and status API: each server's state as this copy sees it (health is shared). */
    List<IcapServer> servers() {
        return servers;
    }

    /** The service's configured request headers, after the per-message ones (X-Client-IP and friends). */
    private IcapJob withConfiguredHeaders(IcapJob job) {
        if (config.requestHeaders().isEmpty()) {
            return job;
        }
        var headers = job.headers();
        for (var h : new java.util.TreeMap<>(config.requestHeaders()).entrySet()) {
            headers = headers.with(h.getKey(), h.getValue());
        }
        return new IcapJob(job.method(), job.requestHead(), job.responseHead(), job.body(), headers, job.extension());
    }
}
