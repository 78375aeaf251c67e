package dev.loupe.core.trust;

import java.util.Locale;

/** Why an upstream certificate chain is not trusted; shown on the client's error page and logged. */
public enum CertificateProblem {
    EXPIRED("the certificate has expired"),
    NOT_YET_VALID("the certificate is not yet valid"),
    SELF_SIGNED("the certificate is self-signed"),
    UNTRUSTED_ROOT("the certificate chain ends at a root that is not trusted"),
    INCOMPLETE_CHAIN("the server did not send the intermediate certificate needed to reach a trusted root"),
    HOSTNAME_MISMATCH("the certificate does not match the host name"),
    WEAK_KEY("the certificate uses a key that is too weak"),
    WEAK_SIGNATURE("the certificate is signed with an insecure algorithm"),
    NOT_FOR_SERVER_AUTH("the certificate is not valid for authenticating a server"),
    INVALID_CHAIN("the certificate chain is invalid"),
    NO_CERTIFICATE("the server sent no certificate");

    private final String description;
    private final String code;

    CertificateProblem(String description) {
        this.description = description;
        // Derived once so the JSON log code can never drift from the constant name.
        this.code = name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Short human-readable text for the error page. */
    public String description() {
        return description;
    }

    /** Stable lower-kebab identifier for structured logs, e.g. {@code hostname-mismatch}. */
    public String code() {
        return code;
    }
}
