package dev.loupe.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** One admin API endpoint: a pure function from a request to a response, run off the event loop. */
@FunctionalInterface
public interface AdminRoute {
    record Request(String method, String path, Map<String, String> query, JsonNode body) {
    }

    /** A body sent as it is (not as JSON), e.g. Prometheus text. */
    record RawBody(String contentType, byte[] bytes) {
    }

    /** A raw body with response headers of its own (the dashboard's cookies, redirects, CSP). */
    record Headed(RawBody body, Map<String, String> headers) {
    }

    record Response(int status, Object body) {
        public static Response ok(Object body) {
            return new Response(200, body);
        }

        public static Response error(int status, String message) {
            return new Response(status, Map.of("error", message));
        }
    }

    Response handle(Request request) throws Exception;
}
