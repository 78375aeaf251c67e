package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.it.Origins.Site;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One file per partner format (STIX 1.x, URLhaus, ThreatFox, a MISP feed directory, a vendor CSV through a column
 * mapping) loaded by the running gateway: what each lists is blocked through the proxy with curl, what it does not
 * list (a neighbour path, a MISP attribute with to_ids false) passes.
 */
class IntelFormatsIT {
    @TempDir
    static Path dir;
    static Origins origins;
    static GatewayUnderTest loupe;
    static String plain;
    static int good;

    @BeforeAll
    static void start() throws Exception {
        origins = Origins.start(dir.resolve("origins"));
        plain = "upstream.test:" + origins.plainPort;
        good = origins.ports.get(Site.GOOD);
        Path feeds = Files.createDirectories(dir.resolve("feeds"));
        Files.writeString(feeds.resolve("stix1.xml"), """
                <stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" xmlns:indicator="http://stix.mitre.org/Indicator-2"
                    xmlns:cybox="http://cybox.mitre.org/cybox-2" xmlns:URIObj="http://cybox.mitre.org/objects#URIObject-2"
                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.2">
                  <stix:Indicators>
                    <stix:Indicator xsi:type="indicator:IndicatorType" id="it:indicator-1">
                      <indicator:Observable><cybox:Object>
                        <cybox:Properties xsi:type="URIObj:URIObjectType" type="URL">
                          <URIObj:Value condition="Equals">http://%1$s/from-stix1</URIObj:Value>
                        </cybox:Properties>
                      </cybox:Object></indicator:Observable>
                    </stix:Indicator>
                    <stix:Indicator xsi:type="indicator:IndicatorType" id="it:indicator-2">
                      <indicator:Observable><cybox:Object>
                        <cybox:Properties xsi:type="URIObj:URIObjectType" type="URL">
                          <URIObj:Value condition="Equals">https://upstream.test:%2$d/secret-stix1</URIObj:Value>
                        </cybox:Properties>
                      </cybox:Object></indicator:Observable>
                    </stix:Indicator>
                  </stix:Indicators>
                </stix:STIX_Package>
                """.formatted(plain, good));
        Files.writeString(feeds.resolve("urlhaus.csv"), """
                # abuse.ch URLhaus Database Dump (CSV - recent URLs only)
                # id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter
                "1","2026-12-04 10:25:05","http://%s/from-urlhaus","online","","malware_download","elf","https://urlhaus.abuse.ch/url/1/","x"
                """.formatted(plain));
        Files.writeString(feeds.resolve("threatfox.csv"), """
                # ThreatFox IOCs: CSV export
                # "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags","anonymous","reporter"
                "2026-12-04 10:15:29", "1", "taxii.test", "domain", "botnet_cc", "win.x", "", "X", "", "100", "0", "", "", "0", "abuse_ch"
                """);
        Path misp = Files.createDirectories(feeds.resolve("misp"));
        String uuid = "5f2a9c3e-1b4d-4e6f-8a7b-9c0d1e2f3a4b";
        Files.writeString(misp.resolve("manifest.json"), """
                {"%s": {"info": "it", "threat_level_id": 1, "timestamp": 1764800000, "Tag": [{"name": "tlp:white"}]}}
                """.formatted(uuid));
        Files.writeString(misp.resolve(uuid + ".json"), """
                {"Event": {"uuid": "%s", "threat_level_id": "1", "Tag": [{"name": "tlp:white"}], "Attribute": [
                  {"type": "url", "to_ids": true, "value": "http://%2$s/from-misp"},
                  {"type": "url", "to_ids": false, "value": "http://%2$s/index.html?misp-context"}]}}
                """.formatted(uuid, plain));
        Files.writeString(feeds.resolve("vendor.csv"), """
                Type,Object,Scan Action,Expiration
                Domain,rated.test,Block,2030-01-01T00:00:00Z
                File SHA-1,3395856ce81f2b7382dee72602f798b642f14140,Block,
                """);
        loupe = GatewayUnderTest.start(Files.createDirectories(dir.resolve("loupe")), origins, """
                intel:
                  sources:
                    - {name: stix1-feed, type: file, format: stix1, path: %1$s/stix1.xml, interval: 1s}
                    - {name: urlhaus, type: file, format: urlhaus, path: %1$s/urlhaus.csv, interval: 1s}
                    - {name: threatfox, type: file, format: threatfox, path: %1$s/threatfox.csv, interval: 1s}
                    - {name: misp-feed, type: file, format: misp, path: %1$s/misp, interval: 1s,
                       misp: {min-threat-level: medium, tags: [tlp:white]}}
                    - {name: vendor, type: file, format: csv, path: %1$s/vendor.csv, interval: 1s,
                       columns: {type: Type, value: Object, expires: Expiration}, types: {Domain: domain, URL: url}}
                """.formatted(feeds));
        loupe.awaitMetric("loupe_intel_indicators{store=\"feeds\"} 6.0");
    }

    @AfterAll
    static void stop() throws Exception {
        Partners.closeAll(loupe, origins);
    }

    @Test
    void whatEachFormatListsIsBlockedAndItsNeighboursPass() throws Exception {
        assertBlocked("http://" + plain + "/from-stix1", "stix1-feed");
        assertBlocked("http://" + plain + "/from-urlhaus", "urlhaus");
        assertBlocked("http://" + plain + "/from-misp", "misp-feed");
        assertBlocked("http://taxii.test:" + origins.plainPort + "/index.html", "threatfox");
        assertBlocked("http://rated.test:" + origins.plainPort + "/index.html", "vendor");
        // a neighbour path of a listed URL, and a MISP attribute marked to_ids false
        assertPasses("http://" + plain + "/index.html?from-stix1");
        assertPasses("http://" + plain + "/index.html?misp-context");
    }

    @Test
    void aStix1UrlIsBlockedInsideDecryptedHttpsToo() throws Exception {
        Curl.Result blocked = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(), "-w", "\n%{http_code}",
                origins.url(Site.GOOD, "/secret-stix1"));
        assertThat(blocked.text()).endsWith("\n403").contains("stix1-feed");
        Curl.Result neighbour = Curl.run(dir, "-x", loupe.proxy(), "--cacert", loupe.caPem.toString(),
                origins.url(Site.GOOD, "/index.html"));
        assertThat(neighbour.text()).contains(Origins.MARKER);
    }

    private static void assertBlocked(String url, String source) throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}", url);
        assertThat(r.text()).as(url).endsWith("\n403").contains(source).doesNotContain(Origins.MARKER);
    }

    private static void assertPasses(String url) throws Exception {
        Curl.Result r = Curl.run(dir, "-x", loupe.proxy(), "-w", "\n%{http_code}", url);
        assertThat(r.text()).as(url).endsWith("\n200").contains(Origins.MARKER);
    }
}
