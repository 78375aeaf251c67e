package dev.loupe.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: JSON over HTTP, every request but the health check authenticated with the bearer token. Routes are
 * matched by "METHOD /path" and run on a worker executor, so a slow route never blocks traffic.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private volatile Channel channel;
    private final ServerBootstrap bootstrap;

    private AdminServer(Channel channel, ServerBootstrap bootstrap) {
        this.channel = channel;
        this.bootstrap = bootstrap;
    }

    public static AdminServer start(String address, int port, AdminToken token, Map<String, AdminRoute> routes,
                                    EventLoopGroup loops, Class<? extends ServerChannel> serverChannel,
                                    Executor workers) throws InterruptedException {
        return start(address, port, token, routes, loops, serverChannel, workers, new DashboardSessions());
    }

    public static AdminServer start(String address, int port, AdminToken token, Map<String, AdminRoute> routes,
                                    EventLoopGroup loops, Class<? extends ServerChannel> serverChannel,
                                    Executor workers, DashboardSessions sessions) throws InterruptedException {
        Map<String, AdminRoute> table = Map.copyOf(new LinkedHashMap<>(routes));
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(serverChannel)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new Handler(token, table, workers, sessions));
                    }
                });
        Channel ch = bootstrap.bind(address, port).sync().channel();
        log.info("admin API listening on {} (bearer token required)", ch.localAddress());
        return new AdminServer(ch, bootstrap);
    }

    /**
     * Binds the same API on another address (a reload moved {@code admin}); {@link Rebind#commit} then closes the
     * old socket (connections already accepted, such as the one that asked for the reload, finish), and
     * {@link Rebind#abort} the new one.
     */
    public Rebind prepareRebind(String address, int port) throws InterruptedException {
        Channel next = bootstrap.bind(address, port).sync().channel();
        return new Rebind(next);
    }

    public final class Rebind {
        private final Channel next;

        private Rebind(Channel next) {
            this.next = next;
        }

        public InetSocketAddress address() {
            return (InetSocketAddress) next.localAddress();
        }

        public void commit() {
            Channel old = channel;
            channel = next;
            old.close().awaitUninterruptibly();
            log.info("admin API moved from {} to {}", old.localAddress(), next.localAddress());
        }

        public void abort() {
            next.close().awaitUninterruptibly();
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AdminToken token;
        private final Map<String, AdminRoute> routes;
        private final Executor workers;
        private final DashboardSessions sessions;
        private final DashboardPages pages;

        Handler(AdminToken token, Map<String, AdminRoute> routes, Executor workers, DashboardSessions sessions) {
            this.token = token;
            this.routes = routes;
            this.workers = workers;
            this.sessions = sessions;
            this.pages = new DashboardPages(sessions, token);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String sessionId = DashboardSessions.fromCookieHeader(request.headers().get(HttpHeaderNames.COOKIE));
            if (uri.path().equals("/ui") || uri.path().startsWith("/ui/")) {
                Map<String, String> q = new HashMap<>();
                uri.parameters().forEach((k, v) -> q.put(k, v.get(0)));
                reply(ctx, pages.handle(request.method().name(), uri.path(), q,
                        request.content().toString(StandardCharsets.UTF_8), sessionId), keepAlive);
                return;
            }
            boolean open = (request.method().name() + " " + uri.path()).equals(AdminRoutes.HEALTH);
            boolean bearer = token.accepts(request.headers().get(HttpHeaderNames.AUTHORIZATION));
            boolean cookie = !bearer && sessions.valid(sessionId);
            if (!open && !bearer && !cookie) {
                reply(ctx, AdminRoute.Response.error(401, "missing or wrong bearer token"), keepAlive);
                return;
            }
            // the browser sends the cookie by itself, also for a forged cross-site request; only the dashboard's
            // script knows the session's CSRF token
            if (cookie && !request.method().name().equals("GET")
                    && !sessions.csrfMatches(sessionId, request.headers().get("X-CSRF-Token"))) {
                reply(ctx, AdminRoute.Response.error(403, "missing or wrong CSRF token"), keepAlive);
                return;
            }
            AdminRoute route = routes.get(request.method().name() + " " + uri.path());
            if (route == null) {
                reply(ctx, AdminRoute.Response.error(404, "no such endpoint: " + request.method() + " " + uri.path()),
                        keepAlive);
                return;
            }
            if (open) {
                // answered on the event loop: a long admin task on the worker must not look like a hung node
                reply(ctx, route.handle(new AdminRoute.Request("GET", uri.path(), Map.of(), null)), keepAlive);
                return;
            }
            Map<String, String> query = new HashMap<>();
            uri.parameters().forEach((k, v) -> query.put(k, v.get(0)));
            String text = request.content().toString(StandardCharsets.UTF_8);
            workers.execute(() -> {
                AdminRoute.Response response;
                try {
                    JsonNode body = text.isBlank() ? null : JSON.readTree(text);
                    response = route.handle(new AdminRoute.Request(request.method().name(), uri.path(), query, body));
                } catch (dev.loupe.gateway.cluster.ClusterUnavailableException e) {
                    response = AdminRoute.Response.error(503, e.getMessage());
                } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
                    response = AdminRoute.Response.error(400, e.getMessage());
                } catch (Exception e) {
                    log.warn("admin {} {} failed: {}", request.method(), uri.path(), e.toString());
                    response = AdminRoute.Response.error(500, e.toString());
                }
                AdminRoute.Response r = response;
                ctx.executor().execute(() -> reply(ctx, r, keepAlive));
            });
        }

        private static void reply(ChannelHandlerContext ctx, AdminRoute.Response response, boolean keepAlive) {
            byte[] body;
            String contentType = "application/json";
            Map<String, String> extra = Map.of();
            if (response.body() instanceof AdminRoute.Headed headed) {
                body = headed.body().bytes();
                contentType = headed.body().contentType();
                extra = headed.headers();
            } else if (response.body() instanceof AdminRoute.RawBody raw) {
                body = raw.bytes();
                contentType = raw.contentType();
            } else {
                try {
                    body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(response.body());
                } catch (Exception e) {
                    body = ("{\"error\":\"" + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8);
                }
            }
            FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(body));
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            extra.forEach((k, v) -> out.headers().set(k, v));
            HttpUtil.setKeepAlive(out, keepAlive);
            var f = ctx.writeAndFlush(out);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
