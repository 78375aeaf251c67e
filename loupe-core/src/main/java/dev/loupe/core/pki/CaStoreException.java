package dev.loupe.core.pki;

/** A CA file is missing, unreadable or does not contain a usable CA; the message names the file. */
public class CaStoreException extends RuntimeException {
    public CaStoreException(String message) {
        super(message);
    }

    public CaStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
