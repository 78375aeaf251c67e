package dev.loupe.app;

import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.log.AccessLog;
import dev.loupe.core.log.JsonLinesAccessLog;
import dev.loupe.core.pki.CaStore;
import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.gateway.Gateway;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Start the gateway (explicit proxy on 127.0.0.1:8080 by default). "
                + "Creates the CA in the data directory on first start.")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOptions options;

    @Override
    public Integer call() throws Exception {
        LoupeConfig config = options.load();
        CertificateAuthority ca = loadCa(config);
        Gateway gateway = Gateway.start(config, ca, openAccessLog(config));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(gateway::close));
        // SIGTERM (systemd stop, docker stop, kill) drains instead of cutting every connection; the exit code is 0
        // because the node left as asked. SIGINT (Ctrl-C) still stops at once through the shutdown hook.
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> gateway.drain("SIGTERM"));
        // SIGHUP: re-read the configuration file (a valid one applies to new connections; see Gateway.reload)
        if (options.configFile != null) {
            gateway.configSource(options::load);
        }
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
            var outcome = gateway.reload(false);
            log.info("SIGHUP: configuration reload {}{}", outcome.result(),
                    outcome.message() == null ? "" : ": " + outcome.message());
        });
        // SIGUSR1: reopen the access-log file (logrotate's postrotate)
        sun.misc.Signal.handle(new sun.misc.Signal("USR1"), signal -> gateway.services().accessLog().reopen());
        log.info("CA {} ({}); clients download it from http://{}:{}/loupe-ca.pem", ca.sha256Fingerprint(),
                CaStore.in(config.dataDir()).certificatePath(), gateway.address().getHostString(),
                gateway.address().getPort());
        gateway.awaitClose();
        return 0;
    }

    static CertificateAuthority loadCa(LoupeConfig config) {
        // CaStore logs the creation of a new CA itself
        return CaStore.in(config.dataDir()).loadOrCreate(config.ca().type(), config.ca().commonName(), Clock.systemUTC());
    }

    static AccessLog openAccessLog(LoupeConfig config) {
        var c = config.accessLog();
        return c.toStdout() ? JsonLinesAccessLog.toStdout(c.queueSize()) : JsonLinesAccessLog.toFile(c.file(), c.queueSize());
    }
}
