package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as an operator uses it: exit codes and messages. */
class CliIT {
    @TempDir
    Path dir;

    @Test
    void invalidConfigIsRefusedWithFieldValueAndReason() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "listener:\n  port: 99999\n");
        LoupeProcess.Result check = LoupeProcess.run(dir, "config", "check", "--config", bad.toString());
        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(check.stderr()).contains("listener.port").contains("99999").contains("between 0 and 65535");
        LoupeProcess.Result run = LoupeProcess.run(dir, "run", "--config", bad.toString(),
                "--data-dir", dir.resolve("d").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).contains("listener.port");
        assertThat(dir.resolve("d")).as("nothing created for a refused config").doesNotExist();
    }

    @Test
    void theReadmesConfigurationSampleIsValid() throws Exception {
        // run from the repository root so the sample's relative paths (config/...) resolve as documented
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## Configuration"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```", section.indexOf("```yaml") + 7));
        Path sample = dir.resolve("readme.yaml");
        Files.writeString(sample, yaml);
        ProcessBuilder pb = LoupeProcess.builder(java.util.List.of(), "config", "check", "--config", sample.toString())
                .directory(Path.of("..").toAbsolutePath().normalize().toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(out).isZero();
        assertThat(out).contains("configuration OK");
    }

    @Test
    void unknownFieldIsNamed() throws Exception {
        Path bad = dir.resolve("typo.yaml");
        Files.writeString(bad, "upstream:\n  conect-timeout: 5s\n");
        LoupeProcess.Result check = LoupeProcess.run(dir, "config", "check", "--config", bad.toString());
        assertThat(check.exitCode()).isEqualTo(2);
        assertThat(check.stderr()).contains("upstream.conect-timeout").contains("unknown field");
    }

    @Test
    void caLifecycleInitShowExportAndKeyPermissions() throws Exception {
        String data = dir.resolve("data").toString();
        LoupeProcess.Result init = LoupeProcess.run(dir, "ca", "init", "--data-dir", data, "--key-type", "rsa-3072");
        assertThat(init.exitCode()).as(init.stderr()).isZero();
        Path key = dir.resolve("data/ca.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(LoupeProcess.run(dir, "ca", "init", "--data-dir", data).exitCode()).as("no silent replace").isEqualTo(1);
        LoupeProcess.Result show = LoupeProcess.run(dir, "ca", "show", "--data-dir", data);
        assertThat(show.stdout()).contains("CN=Loupe Inspection CA").contains("SHA256withRSA");
        Path der = dir.resolve("ca.der");
        assertThat(LoupeProcess.run(dir, "ca", "export", "--data-dir", data, "--format", "der", "--out", der.toString())
                .exitCode()).isZero();
        Process openssl = new ProcessBuilder(Partners.require("openssl"), "x509", "-inform", "DER", "-in",
                der.toString(), "-noout", "-subject").start();
        assertThat(new String(openssl.getInputStream().readAllBytes())).contains("Loupe Inspection CA");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        LoupeProcess.Result refused = LoupeProcess.run(dir, "run", "--data-dir", data);
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.stderr()).contains(key.toString()).contains("chmod 600");
    }

    @Test
    void importsAnOpensslMadeCaFromPkcs12() throws Exception {
        Path k = dir.resolve("k.pem");
        Path c = dir.resolve("c.pem");
        Path p12 = dir.resolve("ca.p12");
        exec("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", k.toString(), "-out", c.toString(), "-subj", "/CN=Imported Corp CA", "-days", "30",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        exec("openssl", "pkcs12", "-export", "-inkey", k.toString(), "-in", c.toString(), "-out", p12.toString(),
                "-passout", "pass:s3cret");
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        String data = dir.resolve("data").toString();
        LoupeProcess.Result imported = LoupeProcess.run(dir, "ca", "import", "--data-dir", data,
                "--pkcs12", p12.toString(), "--password-file", dir.resolve("pw").toString());
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(LoupeProcess.run(dir, "ca", "show", "--data-dir", data).stdout()).contains("CN=Imported Corp CA");
    }

    @Test
    void oneCaForEveryNodeThroughAnExportedPkcs12() throws Exception {
        String a = dir.resolve("node-a").toString();
        String b = dir.resolve("node-b").toString();
        assertThat(LoupeProcess.run(dir, "ca", "init", "--data-dir", a).exitCode()).isZero();
        Files.writeString(dir.resolve("cluster-pw"), "cluster s3cret\n");
        Path p12 = dir.resolve("cluster-ca.p12");
        LoupeProcess.Result noPassword = LoupeProcess.run(dir, "ca", "export", "--data-dir", a, "--pkcs12", p12.toString());
        assertThat(noPassword.exitCode()).isNotZero();
        assertThat(noPassword.stderr()).contains("--password-file");
        LoupeProcess.Result exported = LoupeProcess.run(dir, "ca", "export", "--data-dir", a, "--pkcs12", p12.toString(),
                "--password-file", dir.resolve("cluster-pw").toString());
        assertThat(exported.exitCode()).as(exported.stderr()).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p12)))
                .isEqualTo("rw-------");
        // a real PKCS#12: openssl reads the key and the certificate with the password
        Process p = new ProcessBuilder("openssl", "pkcs12", "-in", p12.toString(), "-passin", "pass:cluster s3cret",
                "-nodes").redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(dump).isZero();
        assertThat(dump).contains("BEGIN PRIVATE KEY").contains("BEGIN CERTIFICATE");
        LoupeProcess.Result imported = LoupeProcess.run(dir, "ca", "import", "--data-dir", b, "--pkcs12", p12.toString(),
                "--password-file", dir.resolve("cluster-pw").toString());
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        String showA = LoupeProcess.run(dir, "ca", "show", "--data-dir", a).stdout();
        String showB = LoupeProcess.run(dir, "ca", "show", "--data-dir", b).stdout();
        assertThat(showB.lines().filter(l -> l.startsWith("sha256:")).findFirst())
                .isEqualTo(showA.lines().filter(l -> l.startsWith("sha256:")).findFirst());
        assertThat(LoupeProcess.run(dir, "ca", "export", "--data-dir", a, "--pkcs12", p12.toString(),
                "--password-file", dir.resolve("cluster-pw").toString()).stderr()).contains("refusing to overwrite");
    }

    @Test
    void versionAndHelpWork() throws Exception {
        assertThat(LoupeProcess.run(dir, "version").stdout()).startsWith("loupe 0.1.0");
        LoupeProcess.Result help = LoupeProcess.run(dir, "ca", "--help");
        assertThat(help.stdout()).contains("init").contains("import").contains("export").contains("show");
    }

    private void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(Partners.finish(p)).as(out).isZero();
    }
}
