package dev.loupe.gateway.http;

import dev.loupe.core.net.Origin;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/** Opens a TLS connection to an origin, validated like any upstream (the return leg; the direct route after a device). */
@FunctionalInterface
public interface UpstreamTls {
    Future<Channel> connect(Channel client, Origin origin, String serverName);
}
