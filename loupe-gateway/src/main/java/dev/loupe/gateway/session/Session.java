package dev.loupe.gateway.session;

import dev.loupe.core.log.AccessLog;
import dev.loupe.core.log.ConnectionRecord;
import dev.loupe.core.log.ExchangeRecord;
import dev.loupe.core.log.TlsSummary;
import dev.loupe.core.log.UpstreamCertificateSummary;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * Everything known about one client connection, filled in as the connection progresses and logged
 * once when it closes. Confined to the client channel's event loop (the upstream channel shares that
 * loop), so nothing here is volatile or synchronised.
 */
public final class Session {
    public static final AttributeKey<Session> KEY = AttributeKey.valueOf("loupe.session");

    private final String id;
    private final String listener;
    private final Channel client;
    private final AccessLog accessLog;
    private final long startNanos = System.nanoTime();
    private final Instant start = Instant.now();

    private String target;
    private String sni;
    private String verdict = "http";
    private String reason;
    private TlsSummary clientTls;
    private TlsSummary upstreamTls;
    private dev.loupe.core.log.HandshakeFingerprints fingerprints;
    private dev.loupe.core.policy.ServiceChain chain = dev.loupe.core.policy.ServiceChain.ALL;
    private UpstreamCertificateSummary upstreamCertificate;
    private String closeReason;
    private int exchanges;
    private boolean logged;
    private final ByteCounter counter = new ByteCounter();

    public Session(String id, String listener, Channel client, AccessLog accessLog) {
        this.id = id;
        this.listener = listener;
        this.client = client;
        this.accessLog = accessLog;
    }

    public ByteCounter counter() {
        return counter;
    }

    public static Session of(Channel channel) {
        return channel.attr(KEY).get();
    }

    public String id() {
        return id;
    }

    /** Which listener accepted the connection: "explicit" or "transparent". */
    public String listener() {
        return listener;
    }

    public Channel client() {
        return client;
    }

    public String target() {
        return target;
    }

    public String sni() {
        return sni;
    }

    /** The client's IP address alone (for ICAP's X-Client-IP), null when not an IP socket. */
    public String clientIp() {
        // RFC 5952 text (fd79::2, not fd79:0:0:0:0:0:0:2): what operators write in rules and search for
        return client.remoteAddress() instanceof InetSocketAddress a
                ? io.netty.util.NetUtil.toAddressString(a.getAddress()) : null;
    }

    /** {@code ip:port}, an IPv6 address in brackets ({@code [fd79::2]:53572}), as in the target field. */
    public String clientAddress() {
        return client.remoteAddress() instanceof InetSocketAddress a
                ? (a.getAddress() instanceof java.net.Inet6Address ? "[" + clientIp() + "]" : clientIp()) + ":"
                        + a.getPort()
                : String.valueOf(client.remoteAddress());
    }

    public void target(String hostAndPort) {
        this.target = hostAndPort;
    }

    public void sni(String name) {
        this.sni = name;
    }

    public void verdict(String verdict, String reason) {
        this.verdict = verdict;
        this.reason = reason;
    }

    public void clientTls(TlsSummary tls) {
        this.clientTls = tls;
    }

    /** The origin connection's TLS, once its handshake is done; null before or without TLS. */
    public TlsSummary upstreamTls() {
        return upstreamTls;
    }

    /** The inspection services this connection goes through, as the rule that decided it chose. */
    public dev.loupe.core.policy.ServiceChain chain() {
        return chain;
    }

    public void chain(dev.loupe.core.policy.ServiceChain chain) {
        this.chain = chain;
    }

    /** The client's JA3/JA4 (and later the server's JA3S/JA4S), for the connection line and the policy. */
    public dev.loupe.core.log.HandshakeFingerprints fingerprints() {
        return fingerprints;
    }

    public void fingerprints(dev.loupe.core.log.HandshakeFingerprints f) {
        this.fingerprints = f;
    }

    /** The upstream server's ServerHello fingerprints, added to the client's. */
    public void serverFingerprints(String ja3s, String ja4s) {
        fingerprints = fingerprints == null ? new dev.loupe.core.log.HandshakeFingerprints(null, null, ja3s, ja4s)
                : fingerprints.withServer(ja3s, ja4s);
    }

    public void upstreamTls(TlsSummary tls) {
        this.upstreamTls = tls;
    }

    public void upstreamCertificate(UpstreamCertificateSummary summary) {
        this.upstreamCertificate = summary;
    }

    /** The first reason given wins: it is the cause, later ones are consequences. */
    public void closeReason(String why) {
        if (closeReason == null) {
            this.closeReason = why;
        }
    }

    public int nextExchangeSequence() {
        return ++exchanges;
    }

    public void logExchange(ExchangeRecord record) {
        accessLog.exchange(record);
    }

    /** Writes the connection line; called once from the client channel's close future. */
    public void logClosed() {
        if (logged) {
            return;
        }
        logged = true;
        long durationMs = (System.nanoTime() - startNanos) / 1_000_000;
        accessLog.connection(new ConnectionRecord("connection", start.toString(), id, listener, clientAddress(), target, sni,
                verdict, reason, clientTls, upstreamTls, upstreamCertificate, fingerprints,
                chain.isAll() ? null : chain.services(), counter.bytesIn(),
                counter.bytesOut(),
                durationMs, closeReason == null ? "client closed" : closeReason));
    }
}
