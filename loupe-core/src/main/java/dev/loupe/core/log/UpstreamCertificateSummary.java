package dev.loupe.core.log;

/** What the upstream server presented and what Loupe concluded about it. */
public record UpstreamCertificateSummary(String subject, String issuer, String validation, String problem) {
}
