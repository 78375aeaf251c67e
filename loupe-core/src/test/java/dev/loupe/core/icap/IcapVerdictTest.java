package dev.loupe.core.icap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IcapVerdictTest {
    @Test
    void xInfectionFoundAsTheDraftWritesIt() {
        IcapVerdict v = IcapVerdict.of(IcapHeaders.of("X-Infection-Found",
                "Type=0; Resolution=2; Threat=Eicar-Test-Signature;"));
        assertThat(v).isEqualTo(new IcapVerdict("Eicar-Test-Signature", "virus", "blocked"));
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Infection-Found", "threat=W32.Worm ;type=1;RESOLUTION=1")))
                .isEqualTo(new IcapVerdict("W32.Worm", "mail-worm", "repaired"));
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Infection-Found", "Suspicious archive")).threat())
                .as("free text from a server ignoring the syntax").isEqualTo("Suspicious archive");
    }

    @Test
    void xViolationsFoundFoldedIntoOneValue() {
        // c-icap sends the count, then four folded lines per violation; HeaderFields joins them with spaces
        IcapVerdict v = IcapVerdict.of(IcapHeaders.of("X-Violations-Found", "1 eicar.com Eicar-Test-Signature 0 2"));
        assertThat(v.threat()).isEqualTo("Eicar-Test-Signature");
        assertThat(v.resolution()).isEqualTo("blocked");
        IcapVerdict spaced = IcapVerdict.of(IcapHeaders.of("X-Violations-Found", "1 my invoice.pdf.exe Trojan.X 12 0"));
        assertThat(spaced.threat()).as("a file name with a space").isEqualTo("Trojan.X");
        IcapVerdict two = IcapVerdict.of(IcapHeaders.of("X-Violations-Found", "2 a.exe Trojan.A 1 2 b.exe Trojan.B 2 2"));
        assertThat(two.threat()).isEqualTo("Trojan.A");
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Violations-Found", "garbage")).isEmpty()).isTrue();
    }

    @Test
    void theOtherVendorHeaders() {
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Virus-ID", "EICAR Test String")).threat()).isEqualTo("EICAR Test String");
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Response-Info", "BLOCKED", "X-Response-Desc",
                "URL category gambling is blocked"))).isEqualTo(new IcapVerdict(null, "gambling", "blocked"));
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Response-Info", "BLOCKED", "X-Response-Desc", "Forbidden site")))
                .isEqualTo(new IcapVerdict("Forbidden site", null, "blocked"));
        assertThat(IcapVerdict.of(IcapHeaders.of("X-Blocked-Reason", "Adult Content")).category()).isEqualTo("Adult Content");
        assertThat(IcapVerdict.of(IcapHeaders.EMPTY)).isEqualTo(IcapVerdict.NONE);
    }
}
