package dev.loupe.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line in-process: exit codes and the one line an operator reads for each refusal. */
class LoupeCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = LoupeCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aValidConfigurationChecksOk() throws Exception {
        Path config = Files.writeString(dir.resolve("ok.yaml"), "listener: {address: 127.0.0.1, port: 18080}\n");
        Run r = run("config", "check", "--config", config.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("configuration OK").contains("127.0.0.1:18080");
    }

    @Test
    void aBadValueIsNamedWithItsFieldAndExitCodeTwo() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "listener: {port: 70000}\n");
        Run r = run("config", "check", "--config", config.toString());
        assertThat(r.exit()).isEqualTo(ErrorHandler.CONFIG_ERROR);
        assertThat(r.err()).startsWith("loupe: ").contains("port").contains("70000");
        Path unknown = Files.writeString(dir.resolve("typo.yaml"), "listner: {port: 8080}\n");
        Run typo = run("config", "check", "--config", unknown.toString());
        assertThat(typo.exit()).isEqualTo(ErrorHandler.CONFIG_ERROR);
        assertThat(typo.err()).contains("listner");
        Run missing = run("config", "check", "--config", dir.resolve("absent.yaml").toString());
        assertThat(missing.exit()).isEqualTo(ErrorHandler.CONFIG_ERROR);
        assertThat(missing.err()).contains("absent.yaml");
    }

    @Test
    void caInitRefusesToReplaceACaWithoutForce() {
        String data = dir.resolve("data").toString();
        assertThat(run("ca", "init", "--data-dir", data).exit()).isZero();
        Run again = run("ca", "init", "--data-dir", data);
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists").contains("--force");
        assertThat(run("ca", "init", "--force", "--data-dir", data).exit()).isZero();
    }

    @Test
    void caImportAndShowRefuseWhatTheyCannotTrust() throws Exception {
        Path source = dir.resolve("source");
        assertThat(run("ca", "init", "--data-dir", source.toString()).exit()).isZero();
        Path key = Files.list(source).filter(p -> p.getFileName().toString().endsWith(".key")).findFirst().orElseThrow();
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        Run unreadable = run("ca", "import", "--cert", garbage.toString(), "--data-dir", dir.resolve("target").toString());
        assertThat(unreadable.exit()).isEqualTo(ErrorHandler.CA_ERROR);
        assertThat(unreadable.err()).startsWith("loupe: ");
        assertThat(dir.resolve("target").resolve("ca.crt")).as("nothing imported").doesNotExist();
        // a data directory whose key others can read is refused by every command that loads it
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Run insecure = run("ca", "show", "--data-dir", source.toString());
        assertThat(insecure.exit()).isEqualTo(ErrorHandler.CA_ERROR);
        assertThat(insecure.err()).contains(key.getFileName().toString()).contains("chmod 600");
        Run nothing = run("ca", "import", "--data-dir", dir.resolve("target").toString());
        assertThat(nothing.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(nothing.err()).contains("give --cert [--key] or --pkcs12");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run r = run("frobnicate");
        assertThat(r.exit()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(r.err()).contains("frobnicate");
    }
}
