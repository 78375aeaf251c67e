/**
 * ICAP (RFC 3507) client codec: {@link dev.loupe.core.icap.IcapRequestEncoder} turns an
 * {@link dev.loupe.core.icap.IcapRequest} into bytes, {@link dev.loupe.core.icap.IcapResponseDecoder} turns
 * server bytes of any fragmentation into {@link dev.loupe.core.icap.IcapEvent}s, and
 * {@link dev.loupe.core.icap.IcapExchange} holds the per-request protocol state (preview, 100 Continue,
 * 204/206/200) and maps each response to an {@link dev.loupe.core.icap.IcapOutcome}. Nothing here touches a
 * socket; the transport owns the connection.
 *
 * <p>How a transport drives one REQMOD/RESPMOD on a connection (one decoder per connection, one request in
 * flight at a time, as squid and c-icap do):
 * <ol>
 *   <li>Once per service (and again after Options-TTL): send {@code head(IcapRequest.options(uri))}, read to
 *       the End event, {@link dev.loupe.core.icap.IcapOptions#from} gives preview size, Allow and Transfer-*.
 *   <li>Build the request with {@code previewFrom(options.preview(), bodyStart, bodyComplete)} when
 *       {@code options.shouldPreview(ext)}, else {@code body()}; create an {@code IcapExchange}; write
 *       {@code encoder.head(request)}. Keep the original message: it is needed for 204 and 206.
 *   <li>Without preview, stream the body right away ({@code chunk(...)}* then {@code lastChunk()}, then
 *       {@code exchange.bodySent()}), while reading: the server may answer early.
 *   <li>Feed every received buffer to the decoder; pass Head events to {@code exchange.onHead} and End events
 *       to {@code exchange.onEnd}. Outcomes: {@code Continue} - now send the body from
 *       {@code request.previewLength()} on, then {@code lastChunk()} and {@code bodySent()};
 *       {@code Unmodified} - use the original, never send the rest of a preview'd body;
 *       {@code Modified}/{@code Satisfied} - use the encapsulated head and forward the BodyData events as the
 *       new body; {@code PartialContent} - like Modified, then append the original body from
 *       {@code End.useOriginalBodyFrom()}; {@code ErrorStatus} - service failure, apply fail-open/closed.
 *   <li>After End: reuse the connection only if {@code exchange.connectionReusable()} and
 *       {@code decoder.isBetweenResponses()}. On connection close call {@code decoder.endOfInput()}. Any
 *       {@link dev.loupe.core.icap.IcapProtocolException} means: treat as service failure and close.
 * </ol>
 */
package dev.loupe.core.icap;
