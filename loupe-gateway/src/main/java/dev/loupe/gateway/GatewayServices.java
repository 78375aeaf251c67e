package dev.loupe.gateway;

import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.log.AccessLog;
import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.core.trust.CachingCertificateValidator;
import dev.loupe.gateway.icap.IcapAdaptation;
import dev.loupe.gateway.inline.Inline;
import dev.loupe.gateway.mirror.Mirror;
import dev.loupe.core.policy.ConnectionDecider;
import dev.loupe.gateway.relay.OriginConnector;
import dev.loupe.gateway.tls.ForgedContextCache;
import dev.loupe.gateway.tls.TlsContexts;
import dev.loupe.gateway.transport.Transport;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared, thread-safe services every connection uses. Built once per configuration snapshot;
 * handlers receive it instead of reaching for globals. {@code mirror} is null when no mirror sink is
 * configured, and
 * {@code icap} when no ICAP service is.
 */
public record GatewayServices(
        LoupeConfig config,
        CertificateAuthority ca,
        Transport transport,
        OriginConnector connector,
        TlsContexts tls,
        ForgedContextCache forgedContexts,
        CachingCertificateValidator validator,
        AccessLog accessLog,
        Mirror mirror,
        ConnectionDecider decider,
        dev.loupe.gateway.intel.IntelService intel,
        IcapAdaptation icap,
        Inline inline,
        dev.loupe.gateway.pipeline.StagePlan stages,
        dev.loupe.gateway.session.Defences defences,
        AtomicLong connectionIds,
        java.util.Map<String, dev.loupe.core.policy.ServiceChain> chains) {

    public byte[] caCertificatePem() {
        return ca.certificatePem().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public byte[] caCertificateDer() {
        return ca.certificateDer();
    }

    /** The service chain of the rule that decided (by name); every service when the rule names none. */
    public dev.loupe.core.policy.ServiceChain chainOf(String rule) {
        return rule == null ? dev.loupe.core.policy.ServiceChain.ALL
                : chains.getOrDefault(rule, dev.loupe.core.policy.ServiceChain.ALL);
    }

    public String nextConnectionId() {
        return Long.toString(connectionIds.incrementAndGet(), 36);
    }
}
