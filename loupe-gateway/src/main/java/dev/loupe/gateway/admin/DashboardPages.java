package dev.loupe.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's own pages under {@code /ui/}: the login page (the admin token, or the one-time link), and the
 * single-page view served from the jar (plain HTML, CSS and JavaScript: no CDN, no build step). Every page carries
 * a strict Content-Security-Policy: scripts and styles from this origin only, no inline script, no framing.
 */
final class DashboardPages {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            + "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final DashboardSessions sessions;
    private final AdminToken token;

    DashboardPages(DashboardSessions sessions, AdminToken token) {
        this.sessions = sessions;
        this.token = token;
    }

    AdminRoute.Response handle(String method, String path, Map<String, String> query, String body, String sessionId) {
        if (path.equals("/ui/login")) {
            if (method.equals("GET") && query.containsKey("once")) {
                String id = sessions.redeem(query.get("once"));
                return id == null ? page(403, "text/html; charset=utf-8", login("That one-time link was used or expired."))
                        : signedIn(id);
            }
            if (method.equals("POST")) {
                String presented = form(body).get("token");
                return presented != null && token.accepts("Bearer " + presented) ? signedIn(sessions.open())
                        : page(401, "text/html; charset=utf-8", login("Wrong token."));
            }
            return page(200, "text/html; charset=utf-8", login(null));
        }
        if (!sessions.valid(sessionId)) {
            return redirect("/ui/login", null);
        }
        return switch (path) {
            case "/ui", "/ui/" -> page(200, "text/html; charset=utf-8",
                    resource("index.html").replace("{{csrf}}", sessions.csrf(sessionId)));
            case "/ui/app.js" -> page(200, "text/javascript; charset=utf-8", resource("app.js"));
            case "/ui/app.css" -> page(200, "text/css; charset=utf-8", resource("app.css"));
            default -> page(404, "text/plain; charset=utf-8", "not found");
        };
    }

    private AdminRoute.Response signedIn(String id) {
        return redirect("/ui/", DashboardSessions.COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + DashboardSessions.SESSION_LIFETIME.toSeconds());
    }

    private static AdminRoute.Response redirect(String to, String cookie) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Location", to);
        headers.put("Content-Security-Policy", CSP);
        if (cookie != null) {
            headers.put("Set-Cookie", cookie);
        }
        return new AdminRoute.Response(303, new AdminRoute.Headed(new AdminRoute.RawBody("text/plain", new byte[0]),
                headers));
    }

    private static AdminRoute.Response page(int status, String type, String text) {
        return new AdminRoute.Response(status, new AdminRoute.Headed(new AdminRoute.RawBody(type,
                text.getBytes(StandardCharsets.UTF_8)), Map.of("Content-Security-Policy", CSP,
                "X-Content-Type-Options", "nosniff", "Cache-Control", "no-store", "Referrer-Policy", "no-referrer")));
    }

    private static String login(String problem) {
        return resource("login.html").replace("{{problem}}", problem == null ? "" : problem);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : (body == null ? "" : body).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String resource(String name) {
        try (InputStream in = DashboardPages.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource " + name + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
