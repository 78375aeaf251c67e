package dev.loupe.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming encoder against data-binding (the encoder it replaced) as the oracle, byte for byte. */
class AccessLogJsonTest {
    private final ObjectMapper dataBinding = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    private static final String AWKWARD = "q\"uote \\ back\nnew line\ttab \u0001 ctl \u00e9t\u00e9 \u2603 \ud83d\udd12 </script>";

    @Test
    void anExchangeWithEveryFieldSetIsWhatDataBindingWrote() throws Exception {
        var record = new ExchangeRecord("exchange", "2026-12-04T13:00:00.123456Z", "1a", 7, "POST",
                "https://a.test/x?y=" + AWKWARD, 201, 12_345_678_901L, 42, 3, 9, "relayed",
                List.of(new IcapResult("av", "respmod", IcapResult.BLOCKED, "Eicar-Signature", "icap://127.0.0.1:1344/avscan", 12,
                        "Eicar-Signature", "virus", "blocked"),
                        IcapResult.notScanned("dlp", "reqmod", "over max-body-bytes")),
                "ips via mark:2", "HTTP/2", "0");
        assertSame(record);
    }

    @Test
    void anExchangeWithItsOptionalFieldsNullLeavesThemOut() throws Exception {
        assertSame(new ExchangeRecord("exchange", "t", "c", 1, "GET", "http://b.test/", 200, 0, 0, 0, 0, "ok",
                null, null, null, null));
        assertSame(new ExchangeRecord("exchange", "t", "c", 1, "GET", "http://b.test/", 200, 0, 0, 0, 0, "ok",
                List.of(), null, "HTTP/1.1", null));
    }

    @Test
    void aConnectionWithEveryFieldSetIsWhatDataBindingWrote() throws Exception {
        var record = new ConnectionRecord("connection", "2026-12-04T13:00:00Z", "1a", "main", "127.0.0.1:5555",
                "a.test:443", "a.test", "decrypt", "rule 'default' " + AWKWARD,
                new TlsSummary("TLSv1.3", "TLS_AES_128_GCM_SHA256", "h2"),
                new TlsSummary("TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256", null),
                new UpstreamCertificateSummary("CN=a.test", "CN=Some CA", "untrusted", "expired " + AWKWARD),
                new HandshakeFingerprints("0149f47eabf9a20d0893e2a44e5a6323", "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6",
                        "abade5a4a7f42baf54766e5d108283b6", "t120400_c02c_" + AWKWARD),
                List.of("av", "mirror"), 1_234, 5_678_901_234L, 15, "client closed");
        assertSame(record);
    }

    @Test
    void aConnectionWithItsOptionalFieldsNullLeavesThemOut() throws Exception {
        assertSame(new ConnectionRecord("connection", "t", "2", "main", "127.0.0.1:1", "b.test:443", null, "relay",
                null, null, null, null, null, null, 0, 0, 0, null));
        assertSame(new ConnectionRecord("connection", "t", "2", "main", "127.0.0.1:1", "b.test:443", null, "reject",
                null, new TlsSummary(null, null, null), null,
                new UpstreamCertificateSummary(null, null, null, null), new HandshakeFingerprints(null, null, null, null),
                List.of(), 0, 0, 0, null));
    }

    private void assertSame(Object record) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            AccessLogJson.write(g, record);
        }
        assertThat(out.toString()).isEqualTo(dataBinding.writeValueAsString(record));
    }
}
