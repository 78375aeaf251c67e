package dev.loupe.gateway.icap;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.IcapResult;
import java.util.List;

/**
 * The services for one message in chain order: each step is a service that will see the message, or the
 * result of one that will not (with the reason), so the log keeps the configured order.
 */
public record IcapSelection(List<Object> steps) {
    /** The service whose size rule blocks this message outright, or null. */
    public String blockedBy() {
        for (Object step : steps) {
            if (step instanceof IcapResult r && r.result().equals(IcapResult.BLOCKED)) {
                return r.service();
            }
        }
        return null;
    }

    public boolean any() {
        return steps.stream().anyMatch(IcapService.class::isInstance);
    }

    /** The results of services that will not see the message (not scanned, or blocked by size). */
    public List<IcapResult> skipped() {
        return steps.stream().filter(IcapResult.class::isInstance).map(IcapResult.class::cast).toList();
    }

    List<IcapService> services() {
        return steps.stream().filter(IcapService.class::isInstance).map(IcapService.class::cast).toList();
    }

    /** The page for a message a service's size rule refuses outright. */
    ErrorPage tooLarge(boolean isRequest, String host) {
        return new ErrorPage(403, "Blocked: too large to scan", "the " + (isRequest ? "request" : "response")
                + " body is larger than ICAP service '" + blockedBy() + "' scans", host);
    }

    /** The largest body any selected service would take: beyond it, spooling more is pointless. */
    long spoolLimit() {
        long max = 0;
        for (IcapService s : services()) {
            max = Math.max(max, s.scope().maxBodyBytes());
        }
        return max;
    }
}
