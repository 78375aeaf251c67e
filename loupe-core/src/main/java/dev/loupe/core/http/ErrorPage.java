package dev.loupe.core.http;

import java.nio.charset.StandardCharsets;

/**
 * The page a client gets when Loupe cannot or will not deliver the origin's answer. It names the
 * host and the problem, so a user (or a script reading the plain-text form) knows exactly what
 * happened; the origin's content is never part of it.
 *
 * @param status  HTTP status, e.g. 502 for an untrusted upstream certificate, 504 for a timeout
 * @param title   short headline, e.g. "Untrusted upstream certificate"
 * @param problem what went wrong, specific, e.g. "the certificate has expired (notAfter ...)"
 * @param host    the host the client asked for
 */
public record ErrorPage(int status, String title, String problem, String host) {

    public record Rendered(String contentType, byte[] body) {
    }

    /** Browsers ask for text/html; everything else (curl, scripts, libraries) gets plain text. */
    public Rendered render(String acceptHeader) {
        boolean html = acceptHeader != null && acceptHeader.contains("text/html");
        return html ? renderHtml() : renderText();
    }

    public Rendered renderText() {
        String text = "Loupe: " + title + "\n"
                + "Host: " + host + "\n"
                + "Problem: " + problem + "\n"
                + "Status: " + status + "\n";
        return new Rendered("text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public Rendered renderHtml() {
        String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>" + escape(title) + "</title>"
                + "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;color:#222}"
                + "h1{color:#a00;font-size:1.4em}code{background:#eee;padding:0 .2em}</style></head>\n"
                + "<body><h1 id=\"loupe-error\">" + escape(title) + "</h1>\n"
                + "<p>Host: <code id=\"loupe-host\">" + escape(host) + "</code></p>\n"
                + "<p>Problem: <span id=\"loupe-problem\">" + escape(problem) + "</span></p>\n"
                + "<p><small>HTTP " + status + " &middot; answered by the Loupe inspection gateway</small></p>"
                + "</body></html>\n";
        return new Rendered("text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
