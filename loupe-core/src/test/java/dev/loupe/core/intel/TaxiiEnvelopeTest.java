package dev.loupe.core.intel;

import static dev.loupe.core.intel.IntelFixtures.NOW;
import static dev.loupe.core.intel.IntelFixtures.feed;
import static dev.loupe.core.intel.IntelFixtures.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TaxiiEnvelopeTest {
    @Test
    void parsesAPageAndFeedsItsObjectsToTheStixParser() {
        TaxiiPage page = TaxiiEnvelope.parse(feed("taxii-page.json"));
        assertThat(page.more()).isTrue();
        assertThat(page.next()).isEqualTo("page 2/3+x");
        assertThat(page.objects()).hasSize(3);
        ParseResult result = StixBundleParser.parseObjects(page.objects(), "taxii", NOW);
        assertThat(summary(result)).containsExactly("DOMAIN taxii.example");
        assertThat(result.skipped()).isEqualTo(Map.of("unsupported observable", 1, "pattern type", 1));
    }

    @Test
    void aLastOrEmptyPageHasNoNext() {
        TaxiiPage page = TaxiiEnvelope.parse("{\"more\": false}");
        assertThat(page.objects()).isEmpty();
        assertThat(page.more()).isFalse();
        assertThat(page.next()).isNull();
        assertThat(TaxiiEnvelope.parse("{}").more()).isFalse();
        assertThatThrownBy(() -> TaxiiEnvelope.parse("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaxiiEnvelope.parse("{")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void objectsPathEncodesTheParameters() {
        String collection = "https://taxii.example/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/";
        assertThat(TaxiiEnvelope.objectsPath(collection, null, null)).isEqualTo(collection + "objects/");
        assertThat(TaxiiEnvelope.objectsPath(collection.substring(0, collection.length() - 1),
                "2024-01-01T00:00:00.123Z", "page 2/3+x&y=é"))
                .isEqualTo(collection + "objects/?added_after=2024-01-01T00%3A00%3A00.123Z"
                        + "&next=page%202%2F3%2Bx%26y%3D%C3%A9");
        assertThat(TaxiiEnvelope.objectsPath(collection, "", "abc")).isEqualTo(collection + "objects/?next=abc");
        assertThat(TaxiiEnvelope.MEDIA_TYPE).isEqualTo("application/taxii+json;version=2.1");
    }
}
