package dev.loupe.bench;

import java.io.IOException;
import java.io.StringWriter;
import java.security.PrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM text for the keys the harness hands to the processes it starts (origin, SSLsplit). */
final class Pem {
    private Pem() {
    }

    /** An unencrypted PKCS#8 {@code PRIVATE KEY} block. */
    static String pkcs8(PrivateKey key) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        return out.toString();
    }
}
