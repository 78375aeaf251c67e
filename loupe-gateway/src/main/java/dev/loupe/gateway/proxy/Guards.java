package dev.loupe.gateway.proxy;

import dev.loupe.core.net.Origin;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.policy.ConnectionFacts;
import dev.loupe.core.policy.PolicyDecision;
import dev.loupe.core.policy.Verdict;
import dev.loupe.gateway.GatewayServices;
import dev.loupe.gateway.http.RelayGuards;
import dev.loupe.gateway.http.RequestHeadTimeout;
import dev.loupe.gateway.session.Session;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/** The {@link RelayGuards} of client-facing listeners: head deadlines and the connection decision. */
final class Guards {
    private Guards() {
    }

    static RelayGuards of(GatewayServices services) {
        var timeout = services.config().limits().requestHeadTimeout();
        return new RelayGuards(() -> new RequestHeadTimeout(timeout, services.defences()),
                (session, target, address) -> refuse(services, session, target, address));
    }

    /** A plain-HTTP destination gets the verdict a CONNECT to it would get (intel, rules, default). */
    private static Optional<ErrorPage> refuse(GatewayServices services, Session session, Origin target,
                                              InetAddress address) {
        InetAddress client = ((InetSocketAddress) session.client().remoteAddress()).getAddress();
        var facts = new ConnectionFacts(client, address, target.port(), null, target.host(), List.of(),
                session.listener(), null, null, null);
        PolicyDecision decision = services.decider().decide(facts);
        if (decision instanceof PolicyDecision.Decided(Verdict.Block block)) {
            return Optional.of(new ErrorPage(403, "Blocked", "rule " + block.rule() + ": " + block.reason(),
                    target.host()));
        }
        // plain HTTP: the exchanges that follow, one at a time, go through the chain of the rule that passed them
        if (decision instanceof PolicyDecision.Decided(Verdict v)) {
            session.chain(services.chainOf(v.rule()));
            if (!services.chainOf(v.rule()).isAll()) {
                session.verdict("http", v.rule() + ": " + v.reason()); // the log names the rule whose chain ran
            }
        } else {
            session.chain(dev.loupe.core.policy.ServiceChain.ALL);
        }
        return Optional.empty();
    }
}
