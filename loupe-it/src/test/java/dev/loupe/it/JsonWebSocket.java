package dev.loupe.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request/reply plumbing both browser protocols share (Chromium's DevTools, WebDriver BiDi): JSON messages
 * {@code {id, method, params}} over a WebSocket (the JDK's client), each reply matched by its {@code id}; events
 * (messages without an id) are ignored.
 */
final class JsonWebSocket {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final WebSocket socket;

    private JsonWebSocket(URI uri) throws Exception {
        StringBuilder partial = new StringBuilder();
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode message = JSON.readTree(partial.toString());
                        if (message.has("id")) {
                            var f = pending.remove(message.get("id").asInt());
                            if (f != null) {
                                f.complete(message);
                            }
                        }
                    } catch (Exception e) {
                        // not a message we follow
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    static JsonWebSocket connect(URI uri) throws Exception {
        return new JsonWebSocket(uri);
    }

    /** Sends {@code method} with {@code params}; the whole reply (the caller knows its protocol's error shape). */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
        return answer.get(30, TimeUnit.SECONDS);
    }

    void abort() {
        socket.abort();
    }
}
