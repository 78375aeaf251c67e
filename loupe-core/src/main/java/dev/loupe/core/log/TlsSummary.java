package dev.loupe.core.log;

/** The negotiated parameters of one TLS side, as logged. */
public record TlsSummary(String version, String cipher, String alpn) {
}
