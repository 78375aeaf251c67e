package dev.loupe.gateway.admin;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may use the dashboard: a session cookie (HttpOnly, SameSite=Strict) got by logging in with the admin token,
 * or once through the one-time link printed at start; each session has its own CSRF token, which every mutating
 * call made with the cookie must echo in {@code X-CSRF-Token} (a cookie is sent by the browser on its own, the
 * header only by the dashboard's script).
 */
public final class DashboardSessions {
    public static final String COOKIE = "loupe_session";
    static final Duration SESSION_LIFETIME = Duration.ofHours(12);
    private static final Duration ONCE_LIFETIME = Duration.ofMinutes(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Session(String csrf, long expiresNanos) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> onceTokens = new ConcurrentHashMap<>();

    /** A new one-time login token (for the link printed at start). */
    public String oneTimeToken() {
        String t = random();
        onceTokens.put(t, System.nanoTime() + ONCE_LIFETIME.toNanos());
        return t;
    }

    /** A session for a valid one-time token (which is then spent), else null. */
    String redeem(String once) {
        Long expires = once == null ? null : onceTokens.remove(once);
        return expires != null && System.nanoTime() - expires < 0 ? open() : null;
    }

    /** A new session; returns its id (the cookie value). */
    String open() {
        String id = random();
        sessions.put(id, new Session(random(), System.nanoTime() + SESSION_LIFETIME.toNanos()));
        if (sessions.size() > 10_000) {
            long now = System.nanoTime();
            sessions.values().removeIf(s -> now - s.expiresNanos() > 0);
        }
        return id;
    }

    boolean valid(String id) {
        Session s = id == null ? null : sessions.get(id);
        return s != null && System.nanoTime() - s.expiresNanos() < 0;
    }

    String csrf(String id) {
        Session s = sessions.get(id);
        return s == null ? null : s.csrf();
    }

    boolean csrfMatches(String id, String presented) {
        String expected = valid(id) ? csrf(id) : null;
        return expected != null && presented != null && java.security.MessageDigest.isEqual(
                expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** The session id in a Cookie header, or null. */
    static String fromCookieHeader(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String p = part.strip();
            if (p.startsWith(COOKIE + "=")) {
                return p.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
