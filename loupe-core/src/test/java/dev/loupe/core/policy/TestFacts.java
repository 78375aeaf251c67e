package dev.loupe.core.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Builds {@link ConnectionFacts} for tables: everything unset except the client (192.0.2.10). */
final class TestFacts {
    private String client = "192.0.2.10";
    private String destination;
    private int port = 443;
    private String sni;
    private String connectHost;
    private List<String> alpn = List.of();
    private String listener;
    private CertificateFacts certificate;

    static TestFacts facts() {
        return new TestFacts();
    }

    TestFacts client(String address) {
        client = address;
        return this;
    }

    TestFacts destination(String address) {
        destination = address;
        return this;
    }

    TestFacts port(int p) {
        port = p;
        return this;
    }

    TestFacts sni(String name) {
        sni = name;
        return this;
    }

    TestFacts connect(String host) {
        connectHost = host;
        return this;
    }

    TestFacts alpn(String... protocols) {
        alpn = List.of(protocols);
        return this;
    }

    TestFacts listener(String name) {
        listener = name;
        return this;
    }

    TestFacts certificate(String subject, String issuer, String... sans) {
        certificate = new CertificateFacts(subject, issuer, List.of(sans));
        return this;
    }

    ConnectionFacts build() {
        return new ConnectionFacts(ip(client), destination == null ? null : ip(destination), port, sni, connectHost,
                alpn, listener, certificate, null, null);
    }

    /** Literal addresses only: tests must never touch DNS. */
    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByAddress(dev.loupe.core.net.IpLiterals.parse(literal).orElseThrow());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    @Override
    public String toString() {
        return "facts(client=" + client + ", destination=" + destination + ", port=" + port + ", sni=" + sni
                + ", connect=" + connectHost + ", alpn=" + alpn + ", listener=" + listener + ")";
    }
}
