package dev.loupe.app;

import dev.loupe.core.config.ConfigException;
import dev.loupe.core.pki.CaStoreException;
import dev.loupe.core.pki.InsecureKeyFileException;
import picocli.CommandLine;

/**
 * Expected failures (bad config, insecure CA key, unreadable files) become one clear line on
 * stderr and a non-zero exit code; anything else keeps its stack trace.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    static final int CONFIG_ERROR = 2;
    static final int CA_ERROR = 3;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof ConfigException) {
            cli.getErr().println("loupe: " + e.getMessage());
            return CONFIG_ERROR;
        }
        if (e instanceof InsecureKeyFileException || e instanceof CaStoreException
                || e instanceof java.io.UncheckedIOException || e instanceof IllegalArgumentException) {
            cli.getErr().println("loupe: " + e.getMessage());
            return CA_ERROR;
        }
        throw new RuntimeException(e);
    }
}
