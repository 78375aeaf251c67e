package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * One HTTP message going through the ICAP services, with what the services are told about it.
 *
 * @param request    the request (for RESPMOD: the request the response answers, sent for context)
 * @param url        the absolute URL, {@code https://host/path} for decrypted traffic
 * @param host       the origin host, for the services' scope
 * @param response   the response for RESPMOD, null for REQMOD
 * @param body       the complete body of the message being adapted, null for none
 * @param clientIp   X-Client-IP
 * @param serverIp   X-Server-IP, null when unknown
 * @param user       X-Authenticated-User, null when unknown
 */
public record IcapMessage(HttpRequest request, String url, String host, HttpResponse response, BodySpool body,
                          String clientIp, String serverIp, String user) {

    public boolean reqmod() {
        return response == null;
    }

    /** The file extension of the URL's last path segment ({@code exe}), empty when none. */
    String extension() {
        String path = url;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash && dot < path.length() - 1 ? path.substring(dot + 1) : "";
    }
}
