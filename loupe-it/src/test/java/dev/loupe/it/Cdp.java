package dev.loupe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol (JSON over a WebSocket, with the JDK's own client): navigate,
 * evaluate JavaScript in the page, wait for the DOM to show something. Enough to click through a page like a user.
 */
final class Cdp implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process chromium;
    private final JsonWebSocket socket;

    private Cdp(Process chromium, JsonWebSocket socket) {
        this.chromium = chromium;
        this.socket = socket;
    }

    static Cdp start(Path dir) throws Exception {
        Process p = new ProcessBuilder(Partners.require("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--remote-debugging-port=0", "--user-data-dir=" + Files.createTempDirectory(dir, "cdp"), "about:blank")
                .start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream()));
        Pattern listening = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:([0-9]+)/");
        int port = -1;
        for (String line; port < 0 && (line = err.readLine()) != null; ) {
            Matcher m = listening.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
        }
        if (port < 0) {
            p.destroyForcibly();
            throw new AssertionError("chromium printed no DevTools address");
        }
        Thread.ofVirtual().start(() -> drain(err));
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode t : targets) {
            if (t.path("type").asText().equals("page")) {
                page = t.path("webSocketDebuggerUrl").asText();
            }
        }
        return new Cdp(p, JsonWebSocket.connect(URI.create(page)));
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        JsonNode reply = socket.call(method, params);
        if (reply.has("error")) {
            throw new AssertionError(method + ": " + reply.get("error"));
        }
        return reply.path("result");
    }

    void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** A PNG of the whole page at {@code width} CSS pixels. */
    void screenshot(Path file, int width) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900, "deviceScaleFactor", 1,
                "mobile", false));
        int height = (int) Math.ceil(eval("document.documentElement.scrollHeight").asDouble(900));
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", false));
        Thread.sleep(300); // a frame at the new size
        String png = call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.write(file, java.util.Base64.getDecoder().decode(png));
    }

    /** The value of a JavaScript expression in the page (promises awaited). */
    JsonNode eval(String expression) throws Exception {
        return call("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true))
                .path("result").path("value");
    }

    /** Waits until the expression is true in the page. */
    void await(String expression, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!eval("Boolean(" + expression + ")").asBoolean(false)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not true in the page within " + timeoutMillis + " ms: " + expression
                        + "\n" + eval("document.body ? document.body.innerText : ''").asText());
            }
            Thread.sleep(100);
        }
    }

    private static void drain(BufferedReader err) {
        try {
            while (err.readLine() != null) {
                // chromium's log, not needed
            }
        } catch (Exception e) {
            // closed with the process
        }
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        chromium.destroy();
        if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
            chromium.destroyForcibly();
        }
    }
}
