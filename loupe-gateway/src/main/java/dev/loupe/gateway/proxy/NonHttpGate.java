package dev.loupe.gateway.proxy;

import dev.loupe.gateway.GatewayServices;
import java.util.Optional;

/**
 * Fail-closed means nothing in a service's scope passes unscanned: a stream that is not HTTP cannot be
 * scanned by ICAP or carried through an inline HTTP device, so a service with {@code non-http: block} (the
 * default when it is fail-closed) refuses it. Decided in this one place for decrypted streams, tunnels and
 * transparent connections.
 */
final class NonHttpGate {
    private NonHttpGate() {
    }

    /**
     * Why a non-HTTP stream to {@code host} must be refused, or empty to relay it.
     *
     * @param decrypted whether the stream was decrypted (inline devices see only decrypted traffic)
     */
    static Optional<String> refusal(GatewayServices services, String host, boolean decrypted) {
        var inline = services.inline();
        if (decrypted && inline != null && inline.service().config().blocksNonHttp()) {
            return Optional.of("inline service " + inline.service().name() + " cannot inspect a stream that is not "
                    + "HTTP (non-http: block)");
        }
        if (services.icap() != null) {
            return services.icap().refusesNonHttp(host);
        }
        return Optional.empty();
    }
}
