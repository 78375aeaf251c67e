package dev.loupe.gateway.icap;

import dev.loupe.core.config.IcapServiceConfig;
import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.icap.IcapHeaders;
import dev.loupe.core.icap.IcapMethod;
import dev.loupe.core.log.IcapResult;
import dev.loupe.gateway.pipeline.BodySpool;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message's walk through the ICAP services selected for it, in chain order: each sees the message as the
 * previous one left it; a block answer, a refusal or a failing fail-closed service ends the walk. Lives on one
 * event loop.
 */
final class IcapChain {
    private static final Logger log = LoggerFactory.getLogger(IcapChain.class);

    private final IcapMessage message;
    private final List<Object> services;
    private final List<IcapResult> results;
    private final Consumer<Adapted> done;
    private final boolean isRequest;
    private final IcapHeaders headers;
    private byte[] requestHead;
    private byte[] responseHead;
    private HttpMessage modified;
    private BodySpool body;

    private final EventLoop on;
    private final IcapMetrics metrics;
    /** The service as served from a loop: that loop's own copy (own connections). */
    private final BiFunction<EventLoop, IcapService, IcapService> local;

    IcapChain(IcapMessage message, IcapSelection selection, EventLoop on, IcapMetrics metrics,
              BiFunction<EventLoop, IcapService, IcapService> local, Consumer<Adapted> done) {
        this.on = on;
        this.metrics = metrics;
        this.local = local;
        this.message = message;
        this.services = selection.steps();
        this.results = new ArrayList<>();
        this.done = done;
        this.isRequest = message.reqmod();
        this.requestHead = HttpHeads.request(message.request(), message.url());
        this.responseHead = isRequest ? null : HttpHeads.response(message.response());
        this.body = message.body();
        IcapHeaders h = IcapHeaders.EMPTY.with("User-Agent", "Loupe");
        if (message.clientIp() != null) {
            h = h.with("X-Client-IP", message.clientIp());
        }
        if (message.serverIp() != null) {
            h = h.with("X-Server-IP", message.serverIp());
        }
        if (message.user() != null) {
            h = h.with("X-Authenticated-User",
                    Base64.getEncoder().encodeToString(message.user().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        this.headers = h;
    }

    void step(int index) {
        if (index == services.size()) {
            finish();
            return;
        }
        if (services.get(index) instanceof IcapResult skipped) {
            results.add(skipped);
            metrics.results.labelValues(skipped.service(), IcapResult.NOT_SCANNED).inc();
            step(index + 1);
            return;
        }
        IcapService service = local.apply(on, (IcapService) services.get(index));
        IcapServiceConfig sc = service.config();
        if (body != null && service.scope().overLimit(body.length())) {
            if (sc.blockOverMax()) {
                record(service, IcapResult.BLOCKED, "body over max-body-bytes (" + sc.maxBodyBytes() + ")", null, 0);
                refuse(new ErrorPage(403, "Blocked: too large to scan", "the " + (isRequest ? "request" : "response")
                        + " body is larger than ICAP service '" + sc.name() + "' scans (" + sc.maxBodyBytes()
                        + " bytes)", message.host()));
                return;
            }
            results.add(IcapResult.notScanned(sc.name(), sc.mode(), "body over max-body-bytes (" + sc.maxBodyBytes() + ")"));
            metrics.results.labelValues(sc.name(), IcapResult.NOT_SCANNED).inc();
            step(index + 1);
            return;
        }
        IcapJob job = new IcapJob(isRequest ? IcapMethod.REQMOD : IcapMethod.RESPMOD, requestHead, responseHead,
                body, headers, message.extension());
        service.run(job, answer -> {
            try {
                onAnswer(index, service, answer);
            } catch (RuntimeException e) {
                log.warn("ICAP {}: cannot use the answer: {}", sc.name(), e.toString());
                failed(index, service, new IcapService.Answer(
                        new TransactionResult.Failed("unusable answer: " + e.getMessage()), answer.server(), 0));
            }
        });
    }

    private void onAnswer(int index, IcapService service, IcapService.Answer answer) {
        IcapServiceConfig sc = service.config();
        switch (answer.result()) {
            case TransactionResult.Unmodified u -> {
                record(service, IcapResult.UNMODIFIED, null, answer.server(), answer.nanos());
                step(index + 1);
            }
            case TransactionResult.Skipped s -> {
                results.add(new IcapResult(sc.name(), sc.mode(), IcapResult.NOT_SCANNED, s.reason(), answer.server(), -1));
                metrics.results.labelValues(sc.name(), IcapResult.NOT_SCANNED).inc();
                step(index + 1);
            }
            case TransactionResult.Adapted a when a.satisfied() -> {
                HttpResponse response = converted(a, () -> HttpHeads.toResponse(a.head()));
                record(service, IcapResult.BLOCKED, threat(a), answer.server(), answer.nanos(), verdict(a));
                replaceBody(a.body());
                done.accept(new Adapted.Respond(response, body, results));
            }
            case TransactionResult.Adapted a -> {
                // the head is parsed first: an unusable one must leave the chain as it was
                HttpMessage converted = converted(a, () -> isRequest ? HttpHeads.toRequest(a.head())
                        : HttpHeads.toResponse(a.head()));
                boolean blocked = !isRequest && a.head().statusCode() >= 400
                        && message.response().status().code() < 400;
                record(service, blocked ? IcapResult.BLOCKED : IcapResult.REPLACED, threat(a), answer.server(),
                        answer.nanos(), verdict(a));
                modified = converted;
                if (isRequest) {
                    requestHead = a.head().bytes();
                } else {
                    responseHead = a.head().bytes();
                }
                replaceBody(a.body());
                step(index + 1);
            }
            case TransactionResult.Failed f -> failed(index, service, answer);
            case TransactionResult.Options o -> throw new IllegalStateException("OPTIONS answer to a job");
        }
    }

    private void failed(int index, IcapService service, IcapService.Answer answer) {
        IcapServiceConfig sc = service.config();
        String reason = ((TransactionResult.Failed) answer.result()).reason();
        if (sc.failOpen()) {
            record(service, IcapResult.ERROR, reason + "; passed unscanned (fail-open)", answer.server(), answer.nanos());
            log.warn("ICAP {} failed for {}: {}; passed unscanned (fail-open)", sc.name(), message.url(), reason);
            step(index + 1);
        } else {
            record(service, IcapResult.ERROR, reason + "; blocked (fail-closed)", answer.server(), answer.nanos());
            refuse(new ErrorPage(503, "Service unavailable: " + sc.name(), "the security service '" + sc.name()
                    + "' could not inspect this " + (isRequest ? "request" : "response") + " (" + reason
                    + "), and nothing passes uninspected", message.host()));
        }
    }

    private void replaceBody(BodySpool replacement) {
        if (body != null && body != message.body()) {
            body.close();
        }
        body = replacement;
    }

    private void refuse(ErrorPage page) {
        replaceBody(null);
        done.accept(new Adapted.Refuse(page, results));
    }

    private void finish() {
        HttpMessage head = modified != null ? modified : isRequest ? message.request() : message.response();
        done.accept(new Adapted.Pass(head, body, modified != null || body != message.body(), results));
    }

    /** Parses an adapted head; when it cannot be, the adapted body is let go and the service counts as failed. */
    private <T> T converted(TransactionResult.Adapted a, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (RuntimeException e) {
            if (a.body() != null) {
                a.body().close();
            }
            throw e;
        }
    }

    private void record(IcapService service, String result, String reason, String server, long nanos) {
        record(service, result, reason, server, nanos, dev.loupe.core.icap.IcapVerdict.NONE);
    }

    private void record(IcapService service, String result, String reason, String server, long nanos,
                        dev.loupe.core.icap.IcapVerdict verdict) {
        IcapServiceConfig sc = service.config();
        results.add(new IcapResult(sc.name(), sc.mode(), result, reason, server,
                server == null ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos), verdict.threat(), verdict.category(),
                verdict.resolution()));
        metrics.results.labelValues(sc.name(), result).inc();
    }

    /**
     * The threat an AV names in X-Infection-Found ({@code Threat=Eicar-Test;}), else what a filter says in
     * X-Response-Desc or X-Response-Info (c-icap's url_check), else null.
     */
    private static dev.loupe.core.icap.IcapVerdict verdict(TransactionResult.Adapted adapted) {
        return dev.loupe.core.icap.IcapVerdict.of(adapted.icap().headers());
    }

    private static String threat(TransactionResult.Adapted adapted) {
        var headers = adapted.icap().headers();
        String found = headers.first("X-Infection-Found").orElse(null);
        if (found == null) {
            return headers.first("X-Response-Desc").or(() -> headers.first("X-Response-Info")).orElse(null);
        }
        int at = found.indexOf("Threat=");
        if (at < 0) {
            return found;
        }
        int end = found.indexOf(';', at);
        return found.substring(at + 7, end < 0 ? found.length() : end).strip();
    }
}
