package dev.loupe.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives headless Firefox (Debian's firefox-esr) over WebDriver BiDi, the W3C protocol Firefox speaks on
 * {@code --remote-debugging-port}, with the JDK's WebSocket client: navigate, evaluate, wait for a condition.
 */
final class Bidi implements AutoCloseable {
    private final Process firefox;
    private final JsonWebSocket socket;
    private String context;

    private Bidi(Process firefox, JsonWebSocket socket) {
        this.firefox = firefox;
        this.socket = socket;
    }

    /** Null when Firefox is not installed (the caller skips with a message). */
    static String binary() {
        for (String name : new String[] {"/usr/bin/firefox-esr", "/usr/bin/firefox"}) {
            if (Files.isExecutable(Path.of(name))) {
                return name;
            }
        }
        return null;
    }

    static Bidi start(Path dir) throws Exception {
        Path profile = Files.createTempDirectory(dir, "firefox");
        ProcessBuilder pb = new ProcessBuilder(binary(), "--headless", "--no-remote", "--profile", profile.toString(),
                "--remote-debugging-port", "0", "about:blank");
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
        Process p = pb.redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        Pattern listening = Pattern.compile("WebDriver BiDi listening on (ws://[^\\s]+)");
        String ws = null;
        long deadline = System.currentTimeMillis() + 60_000;
        StringBuilder seen = new StringBuilder();
        for (String line; ws == null && System.currentTimeMillis() < deadline && (line = out.readLine()) != null; ) {
            seen.append(line).append('\n');
            Matcher m = listening.matcher(line);
            if (m.find()) {
                ws = m.group(1);
            }
        }
        if (ws == null) {
            p.destroyForcibly();
            throw new AssertionError("firefox printed no WebDriver BiDi address:\n" + seen);
        }
        Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe drained
                }
            } catch (java.io.IOException e) {
                // firefox went away
            }
        });
        Bidi bidi = new Bidi(p, JsonWebSocket.connect(URI.create(ws.endsWith("/session") ? ws : ws + "/session")));
        bidi.call("session.new", Map.of("capabilities", Map.of()));
        bidi.context = bidi.call("browsingContext.getTree", Map.of()).path("contexts").get(0).path("context").asText();
        return bidi;
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        JsonNode reply = socket.call(method, params);
        if (!"success".equals(reply.path("type").asText())) {
            throw new AssertionError(method + ": " + reply);
        }
        return reply.path("result");
    }

    void navigate(String url) throws Exception {
        call("browsingContext.navigate", Map.of("context", context, "url", url, "wait", "complete"));
    }

    /** The value of a JavaScript expression in the page (promises awaited), as BiDi serialises it. */
    JsonNode eval(String expression) throws Exception {
        return call("script.evaluate", Map.of("expression", expression, "target", Map.of("context", context),
                "awaitPromise", true)).path("result");
    }

    void await(String expression, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!eval("Boolean(" + expression + ")").path("value").asBoolean(false)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not true in Firefox within " + timeoutMillis + " ms: " + expression + "\n"
                        + eval("document.body ? document.body.innerText : ''").path("value").asText());
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            call("session.end", Map.of());
        } catch (Exception | AssertionError e) {
            // closing anyway
        }
        socket.abort();
        firefox.destroy();
        if (!firefox.waitFor(10, TimeUnit.SECONDS)) {
            firefox.destroyForcibly();
        }
    }
}
