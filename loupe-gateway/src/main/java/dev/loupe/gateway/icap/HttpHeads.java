package dev.loupe.gateway.icap;

import dev.loupe.core.icap.HttpHead;
import dev.loupe.core.icap.IcapHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** HTTP heads between Netty's objects and the raw bytes ICAP encapsulates. */
public final class HttpHeads {
    private HttpHeads() {
    }

    /** The request head with {@code uri} as its request target (absolute for ICAP: {@code https://host/path}). */
    public static byte[] request(HttpRequest request, String uri) {
        StringBuilder out = new StringBuilder(256);
        out.append(request.method().name()).append(' ').append(uri).append(' ')
                .append(request.protocolVersion().text()).append("\r\n");
        return finish(out, request.headers());
    }

    public static byte[] response(HttpResponse response) {
        StringBuilder out = new StringBuilder(256);
        out.append(response.protocolVersion().text()).append(' ').append(response.status().code()).append(' ')
                .append(response.status().reasonPhrase()).append("\r\n");
        return finish(out, response.headers());
    }

    private static byte[] finish(StringBuilder out, HttpHeaders headers) {
        for (Map.Entry<String, String> header : headers) {
            out.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
        }
        return out.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A response head an ICAP service produced (a block page, or a modified response). */
    public static HttpResponse toResponse(HttpHead head) {
        String line = head.startLine();
        String[] parts = line.split(" ", 3);
        int code = head.statusCode();
        if (parts.length < 2 || code < 100) {
            throw new IllegalArgumentException("not an HTTP status line: '" + line + "'");
        }
        HttpVersion version = version(parts[0]);
        HttpResponseStatus status = new HttpResponseStatus(code, parts.length > 2 ? parts[2] : "");
        HttpResponse response = new DefaultHttpResponse(version, status);
        copy(head.headers(), response.headers());
        return response;
    }

    /** A request head an ICAP service produced (a modified request). */
    public static HttpRequest toRequest(HttpHead head) {
        String[] parts = head.startLine().split(" ");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an HTTP request line: '" + head.startLine() + "'");
        }
        HttpRequest request = new DefaultHttpRequest(version(parts[2]), HttpMethod.valueOf(parts[0]), parts[1]);
        copy(head.headers(), request.headers());
        return request;
    }

    private static HttpVersion version(String text) {
        return text.equals("HTTP/1.0") ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    private static void copy(IcapHeaders from, HttpHeaders to) {
        for (IcapHeaders.Field field : from.fields()) {
            to.add(field.name(), field.value());
        }
    }
}
