package dev.loupe.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * nginx serving HTTPS on port 443 inside a lab's server namespace, for {@code origin.test} and its address,
 * with a certificate from its own CA ({@code dir/origin-ca.pem}, which the gateway under test trusts).
 * Serves {@code index.html} (the origin marker) and {@code 300k.bin} from {@code dir/www}.
 */
final class NamespaceOrigin {
    private NamespaceOrigin() {
    }

    static Process start(String ns, Path dir, String address) throws Exception {
        TestCertificates.Issued ca = TestCertificates.ca("Lab Origin CA");
        TestCertificates.write(dir.resolve("origin-ca.pem"), ca.certificate());
        TestCertificates.leaf(ca, "origin.test", Instant.now().minusSeconds(60), Instant.now().plusSeconds(86_400),
                "origin.test", address).writePem(dir.resolve("o.crt"), dir.resolve("o.key"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), Origins.MARKER + "\n");
        Files.write(www.resolve("300k.bin"), Origins.random(300 * 1024, 3));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), """
                daemon off; worker_processes 1; pid %1$s/nginx.pid; error_log %1$s/nginx-error.log;
                events { worker_connections 256; }
                http { access_log %1$s/nginx-access.log; client_body_temp_path %1$s/tmp;
                  server { listen 443 ssl; listen [::]:443 ssl; ssl_certificate %1$s/o.crt; ssl_certificate_key %1$s/o.key; root %2$s; }
                }
                """.formatted(dir, www));
        return Net.inNamespace(ns, Partners.require("nginx"), "-c", dir.resolve("nginx.conf").toString(),
                "-e", dir + "/nginx-error.log").redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
    }
}
