package dev.loupe.core.pki;

import java.nio.file.Path;

/**
 * The CA private key file can be read or written by other users. Anyone holding that key can
 * impersonate every site to every client that trusts the CA, so Loupe refuses to start with it.
 */
public class InsecureKeyFileException extends RuntimeException {
    private final Path path;

    public InsecureKeyFileException(Path path, String actualPermissions) {
        super("CA key file " + path + " has permissions " + actualPermissions
                + " but must only be accessible by its owner; run: chmod 600 " + path);
        this.path = path;
    }

    public Path path() {
        return path;
    }
}
