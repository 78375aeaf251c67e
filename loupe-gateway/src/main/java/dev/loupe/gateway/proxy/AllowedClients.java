package dev.loupe.gateway.proxy;

import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.net.Cidr;
import java.util.List;
import java.util.function.Function;

/**
 * A listener's allowed client networks as the snapshot a connection starts on says (a reload may change
 * them), parsed once per snapshot rather than once per connection.
 */
final class AllowedClients {
    private record Parsed(LoupeConfig config, List<Cidr> networks) {
    }

    private final Function<LoupeConfig, List<Cidr>> parse;
    private volatile Parsed last;

    AllowedClients(Function<LoupeConfig, List<Cidr>> parse) {
        this.parse = parse;
    }

    List<Cidr> of(LoupeConfig config) {
        Parsed p = last;
        if (p == null || p.config() != config) {
            p = new Parsed(config, parse.apply(config));
            last = p;
        }
        return p.networks();
    }
}
