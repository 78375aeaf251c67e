package dev.loupe.gateway.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The one way Loupe parses requests from clients: strict line ends (CRLF), header validation, and RFC 9112
 * framing rules, so a message carrying both Transfer-Encoding and Content-Length is refused rather than
 * guessed at (the root of CL.TE/TE.CL smuggling).
 */
public final class HttpCodecs {
    private HttpCodecs() {
    }

    public static HttpServerCodec server(int maxInitialLine, int maxHeader) {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeader)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true));
    }
}
