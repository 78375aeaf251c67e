package dev.loupe.gateway.http;

import dev.loupe.gateway.session.Defences;
import dev.loupe.gateway.session.Session;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request head a deadline ({@code limits.request-head-timeout}): the first one on a connection,
 * and each later one on a keep-alive connection, counted from the moment Loupe waits for it (the previous
 * exchange complete both ways). A client that sends its head a byte at a time (slowloris) costs one
 * connection for that long, not forever. Sits after the HTTP server codec; event-loop confined.
 *
 * <p>The deadline is a number, not a timer per request: starting it stores {@code now + timeout}, and
 * stopping it clears a flag. One timer stays armed and, when it fires, either finds the wait over, or
 * re-arms itself for what is left of the current deadline, or closes. A keep-alive connection answering
 * thousands of requests a second used to schedule and cancel a timer for each one (a task allocated, two
 * priority-queue operations); now it touches the scheduler about once per timeout.
 */
public final class RequestHeadTimeout extends ChannelDuplexHandler {
    public static final String NAME = "head-timeout";
    private static final Logger log = LoggerFactory.getLogger(RequestHeadTimeout.class);

    private final long timeoutMillis;
    private final long timeoutNanos;
    private final Defences defences;
    private ScheduledFuture<?> timer;
    /** Waiting for a request head since {@link #start}; its deadline is {@link #deadlineNanos}. */
    private boolean waiting;
    private long deadlineNanos;
    private boolean requestOpen;
    private boolean responseOpen;
    private boolean finalResponse;
    private long bytesInAtStart;

    public RequestHeadTimeout(Duration timeout, Defences defences) {
        this.timeoutMillis = timeout.toMillis();
        this.timeoutNanos = timeout.toNanos();
        this.defences = defences;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        start(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            cancel();
            requestOpen = true;
            responseOpen = true;
        }
        if (msg instanceof LastHttpContent) {
            requestOpen = false;
            if (!responseOpen) {
                start(ctx);
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            // 1xx (100 Continue) is not the answer: the request body may still be on its way
            finalResponse = response.status().code() >= 200;
        }
        if (msg instanceof LastHttpContent && finalResponse) {
            finalResponse = false;
            responseOpen = false;
            if (!requestOpen) {
                start(ctx);
            }
        }
        ctx.write(msg, promise);
    }

    private void start(ChannelHandlerContext ctx) {
        Session session = Session.of(ctx.channel());
        bytesInAtStart = session == null ? 0 : session.counter().bytesIn();
        deadlineNanos = ctx.executor().ticker().nanoTime() + timeoutNanos;
        waiting = true;
        if (timer == null) {
            arm(ctx, timeoutNanos);
        }
    }

    /** The wait is over (a head arrived); the armed timer will find nothing to do. */
    private void cancel() {
        waiting = false;
    }

    private void arm(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> fire(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void disarm() {
        waiting = false;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void fire(ChannelHandlerContext ctx) {
        timer = null;
        if (!waiting || !ctx.channel().isActive()) {
            return; // the next start arms a new timer
        }
        long left = deadlineNanos - ctx.executor().ticker().nanoTime();
        if (left > 0) {
            arm(ctx, left); // the wait restarted since this timer was armed
            return;
        }
        expired(ctx);
    }

    private void expired(ChannelHandlerContext ctx) {
        waiting = false;
        Session session = Session.of(ctx.channel());
        boolean partial = session != null && session.counter().bytesIn() > bytesInAtStart;
        if (partial) {
            // a head started but not finished in time: a slow or hostile client
            defences.refused("request-head-timeout");
            log.info("[{}] closing {}: request head not complete within {} ms", session.id(),
                    ctx.channel().remoteAddress(), timeoutMillis);
        }
        if (session != null) {
            session.closeReason(partial ? "request head not complete within " + timeoutMillis + " ms"
                    : "no request within " + timeoutMillis + " ms (idle keep-alive)");
        }
        ctx.close();
    }
}
