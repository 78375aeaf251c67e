/**
 * HTTP/2 framing at the edges of a decrypted connection. Each client stream becomes one child channel whose
 * frames are turned into HTTP messages (request head, body, trailers) and handed to the same exchange relay
 * as HTTP/1.1; its upstream is a stream of one shared HTTP/2 connection to the origin, turned back into
 * frames the same way. Nothing past {@link dev.loupe.gateway.http2.StreamMessages} knows which framing
 * carried an exchange.
 */
package dev.loupe.gateway.http2;
