package dev.loupe.app;

import dev.loupe.core.config.LoupeConfig;
import dev.loupe.core.pki.CaStore;
import dev.loupe.core.pki.CertificateAuthority;
import dev.loupe.core.pki.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "ca", mixinStandardHelpOptions = true, description = "Manage Loupe's certificate authority.",
        subcommands = {CaCommand.Init.class, CaCommand.Import.class, CaCommand.Export.class, CaCommand.Show.class})
final class CaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a new CA in the data directory (refuses to replace one unless --force).")
    static final class Init implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @Option(names = "--key-type", paramLabel = "TYPE", description = "ec-p256 (default) or rsa-3072.")
        String keyType;
        @Option(names = "--force", description = "Replace an existing CA (clients must trust the new one).")
        boolean force;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            LoupeConfig config = options.load();
            CaStore store = CaStore.in(config.dataDir());
            if (store.exists() && !force) {
                spec.commandLine().getErr().println("loupe: a CA already exists in " + config.dataDir()
                        + "; use --force to replace it");
                return 1;
            }
            KeyType type = keyType != null ? KeyType.fromConfigName(keyType) : config.ca().type();
            CertificateAuthority ca = CertificateAuthority.generate(type, config.ca().commonName(), Clock.systemUTC());
            store.save(ca);
            spec.commandLine().getOut().println("created " + ca + " in " + store.certificatePath().getParent());
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import an existing CA: PEM certificate + key, or a PKCS#12 file.")
    static final class Import implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @Option(names = "--cert", paramLabel = "PEM", description = "CA certificate (PEM).")
        Path cert;
        @Option(names = "--key", paramLabel = "PEM", description = "CA private key (PEM; may be the --cert file).")
        Path key;
        @Option(names = "--pkcs12", paramLabel = "P12", description = "PKCS#12 file with the CA key and certificate.")
        Path pkcs12;
        @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the PKCS#12 password.")
        Path passwordFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            CertificateAuthority ca;
            if (pkcs12 != null) {
                char[] password = passwordFile == null ? new char[0]
                        : Files.readString(passwordFile, StandardCharsets.UTF_8).strip().toCharArray();
                ca = CaStore.readPkcs12(pkcs12, password);
            } else if (cert != null) {
                ca = CaStore.readPem(cert, key != null ? key : cert);
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --cert [--key] or --pkcs12");
            }
            LoupeConfig config = options.load();
            CaStore.in(config.dataDir()).save(ca);
            spec.commandLine().getOut().println("imported " + ca + " into " + config.dataDir());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Write the CA certificate as PEM or DER, for clients to trust;",
                    "or, with --pkcs12, the certificate AND its key, password-protected (mode 0600), to give every "
                            + "node of a cluster the same CA ('loupe ca import --pkcs12' on the other nodes)."})
    static final class Export implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @Option(names = "--format", defaultValue = "pem", description = "pem (default) or der.")
        String format;
        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Output file (default: stdout).")
        Path out;
        @Option(names = "--pkcs12", paramLabel = "P12", description = "Write certificate and key to this new file.")
        Path pkcs12;
        @Option(names = "--password-file", paramLabel = "FILE", description = "File holding the PKCS#12 password.")
        Path passwordFile;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            CertificateAuthority ca = CaStore.in(options.load().dataDir()).load();
            if (pkcs12 != null) {
                if (passwordFile == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--pkcs12 needs --password-file: the file carries the CA's private key");
                }
                CaStore.writePkcs12(ca, pkcs12, Files.readString(passwordFile, StandardCharsets.UTF_8).strip()
                        .toCharArray());
                spec.commandLine().getOut().println("exported " + ca + " with its key to " + pkcs12);
                return 0;
            }
            byte[] bytes = switch (format) {
                case "pem" -> ca.certificatePem().getBytes(StandardCharsets.US_ASCII);
                case "der" -> ca.certificateDer();
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "--format must be pem or der, not '" + format + "'");
            };
            if (out == null) {
                System.out.write(bytes);
                System.out.flush();
            } else {
                Files.write(out, bytes);
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe the CA in the data directory.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ConfigOptions options;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CaStore store = CaStore.in(options.load().dataDir());
            CertificateAuthority ca = store.load();
            X509Certificate c = ca.certificate();
            var o = spec.commandLine().getOut();
            o.println("subject:     " + c.getSubjectX500Principal().getName());
            o.println("key:         " + c.getPublicKey().getAlgorithm() + " (" + ca.signatureAlgorithm() + ")");
            o.println("valid:       " + c.getNotBefore().toInstant() + " .. " + c.getNotAfter().toInstant());
            o.println("sha256:      " + ca.sha256Fingerprint());
            o.println("certificate: " + store.certificatePath());
            o.println("key file:    " + store.keyPath());
            return 0;
        }
    }
}
