package dev.loupe.gateway.http;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.http.RequestChecks;
import dev.loupe.core.http.RequestTargets;
import dev.loupe.core.net.IpLiterals;
import dev.loupe.core.net.Origin;
import dev.loupe.gateway.inline.FlowRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Where the requests of one client connection may go, and under which URL and host they are inspected and
 * logged: one kind per way a connection reaches Loupe. Each leaves the request head in origin form.
 */
sealed interface RequestTarget {
    /** The request's destination, or why it has none. */
    sealed interface Resolution {
    }

    /** {@code host}: the name intel, ICAP and the log see (in a tunnel, the name the connection is bound to). */
    record To(Origin origin, String url, String host) implements Resolution {
    }

    record Refused(ErrorPage page) implements Resolution {
    }

    Resolution resolve(HttpRelay relay, HttpRequest request);

    /** The URL a refused request is logged under: absolute, as for the exchanges that pass. */
    default String logUrl(HttpRelay relay, HttpRequest request) {
        return request.uri();
    }

    static Refused refused(int status, String problem, Origin page) {
        return new Refused(new ErrorPage(status, status == 403 ? "Forbidden" : "Bad request", problem,
                page != null ? page.host() : "-"));
    }

    static String hostForUrl(Origin origin) {
        return origin.host().indexOf(':') >= 0 ? "[" + origin.host() + "]" : origin.host();
    }

    /** A CONNECT tunnel or a transparent TLS connection: the origin is fixed, Host must name it. */
    record Tunnel() implements RequestTarget {
        @Override
        public String logUrl(HttpRelay relay, HttpRequest request) {
            if (!request.uri().startsWith("/")) {
                return request.uri();
            }
            String bound = relay.boundName();
            String name = bound.indexOf(':') >= 0 && !bound.startsWith("[") ? "[" + bound + "]" : bound;
            return relay.scheme() + "://" + name + ":" + relay.origin().port() + request.uri();
        }

        @Override
        public Resolution resolve(HttpRelay relay, HttpRequest request) {
            Origin target = relay.origin();
            String bound = relay.boundName();
            int defaultPort = relay.scheme().equals("https") ? 443 : 80;
            if (!request.uri().startsWith("/") && !originFormInTunnel(relay, request, bound, target)) {
                return refused(400, "a request inside a tunnel must name a path on its origin, got '"
                        + request.uri() + "'", target);
            }
            // a Host without a port cannot name another port: it means the tunnel's own
            var hostProblem = RequestChecks.hostProblem(request.headers().getAll(HttpHeaderNames.HOST), bound,
                    target.port(), target.port());
            if (hostProblem.isPresent()) {
                return refused(400, hostProblem.get(), target);
            }
            String name = bound.indexOf(':') >= 0 ? "[" + bound + "]" : bound;
            return new To(target, relay.scheme() + "://" + (target.port() == defaultPort ? name
                    : name + ":" + target.port()) + request.uri(), bound);
        }

        /** An absolute-form request in a tunnel is accepted only for the tunnel's own origin; made origin-form. */
        private static boolean originFormInTunnel(HttpRelay relay, HttpRequest request, String bound, Origin target) {
            try {
                URI uri = new URI(request.uri());
                boolean same = uri.isAbsolute() && uri.getHost() != null && uri.getRawUserInfo() == null
                        && relay.scheme().equalsIgnoreCase(uri.getScheme())
                        && RequestChecks.authorityProblem(uri.getHost(), uri.getPort() < 0
                                ? (relay.scheme().equals("https") ? 443 : 80) : uri.getPort(), bound, target.port(),
                                "").isEmpty();
                if (same) {
                    request.setUri(RequestTargets.originForm(uri));
                }
                return same;
            } catch (URISyntaxException e) {
                return false;
            }
        }
    }

    /** Transparent plain HTTP: origin-form requests to the client's original destination, named by Host. */
    record Transparent(Origin destination) implements RequestTarget {
        @Override
        public String logUrl(HttpRelay relay, HttpRequest request) {
            return !request.uri().startsWith("/") ? request.uri()
                    : "http://" + request.headers().get(HttpHeaderNames.HOST, destination.authority()) + request.uri();
        }

        @Override
        public Resolution resolve(HttpRelay relay, HttpRequest request) {
            List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
            var authority = hosts.size() == 1 ? RequestChecks.Authority.parse(hosts.get(0), destination.port()) : null;
            if (authority == null) {
                return refused(400, hosts.size() == 1 ? "malformed Host header"
                        : "the request has " + hosts.size() + " Host headers; exactly one is required", destination);
            }
            return new To(destination, "http://" + hosts.get(0).strip() + request.uri(),
                    authority.host().toLowerCase(Locale.ROOT));
        }
    }

    /** Plain-HTTP proxying: each request names its origin in an absolute URI, decided as a CONNECT to it would be. */
    record Proxy() implements RequestTarget {
        @Override
        public Resolution resolve(HttpRelay relay, HttpRequest request) {
            Origin target;
            String url = request.uri();
            try {
                URI uri = new URI(request.uri());
                if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    return refused(400, "a proxy request needs an absolute http:// URI, got '" + request.uri() + "'",
                            null);
                }
                target = new Origin(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
                request.setUri(RequestTargets.originForm(uri));
                request.headers().set(HttpHeaderNames.HOST, uri.getPort() < 0 ? hostForUrl(target)
                        : target.authority());
            } catch (URISyntaxException | IllegalArgumentException e) {
                return refused(400, "malformed request URI '" + request.uri() + "'", null);
            }
            // one decision for CONNECT and absolute-URI requests: rules on destination and port apply here too
            var refusal = relay.guards().destinations().refuse(relay.session(), target,
                    IpLiterals.address(target.host()).orElse(null));
            if (refusal.isPresent()) {
                return new Refused(refusal.get());
            }
            return new To(target, url, target.host());
        }
    }

    /**
     * Loupe's return listener: the client is an inline device; each request belongs to a live flow (named in a
     * header by an HTTP device, known by its addresses after an L3 one) and goes over TLS to that flow's origin.
     */
    record ReturnLeg(FlowRegistry flows, boolean l3) implements RequestTarget {
        @Override
        public Resolution resolve(HttpRelay relay, HttpRequest request) {
            String id = request.headers().get(FlowRegistry.FLOW_HEADER);
            if (flows.takeProbe(id)) {
                // a health probe made the whole loop: answer it here, naming it so the prober knows
                return new Refused(new ErrorPage(200, "Loupe return path", "probe " + id + " came back", "-"));
            }
            // after an L3 device a header would come from the client: only the addresses count there
            FlowRegistry.Flow flow = l3 ? flows.findByPeer(relay.client().remoteAddress(),
                    relay.client().localAddress()) : flows.find(id);
            if (flow == null) {
                return refused(403, "the return listener only carries live inline flows", null);
            }
            Origin target = flow.origin();
            relay.flow(flow.serverName(), flow.clientIp());
            String path = request.uri();
            String name = flow.serverName() != null ? flow.serverName() : target.host();
            try {
                URI uri = new URI(request.uri());
                if (uri.isAbsolute()) {
                    // the device judged this URL: it must be the flow's own origin, or the verdict was about another
                    if (uri.getHost() == null || !uri.getHost().replace("[", "").replace("]", "").equalsIgnoreCase(name)
                            || (uri.getPort() < 0 ? 80 : uri.getPort()) != target.port()
                            || uri.getRawUserInfo() != null) {
                        return refused(403, "the request names " + request.uri() + ", which is not its flow's origin",
                                target);
                    }
                    path = RequestTargets.originForm(uri);
                }
            } catch (URISyntaxException e) {
                return refused(400, "malformed request URI '" + request.uri() + "'", target);
            }
            request.setUri(path);
            request.headers().remove(FlowRegistry.FLOW_HEADER);
            request.headers().remove(FlowRegistry.SCHEME_HEADER);
            return new To(target, "https://" + (target.port() == 443 ? hostForUrl(target) : target.authority()) + path,
                    name);
        }
    }
}
