package dev.loupe.core.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class IcapHeadersTest {

    @Test
    void keepsOrderAndLooksUpCaseInsensitively() {
        IcapHeaders headers = IcapHeaders.of("Allow", "204", "ISTag", "\"a\"", "allow", "206, trailers")
                .with("Connection", "Keep-Alive, Close");

        assertThat(headers.fields()).extracting(IcapHeaders.Field::name)
                .containsExactly("Allow", "ISTag", "allow", "Connection");
        assertThat(headers.first("ALLOW")).contains("204");
        assertThat(headers.all("Allow")).containsExactly("204", "206, trailers");
        assertThat(headers.tokens("allow")).containsExactly("204", "206", "trailers");
        assertThat(headers.hasToken("connection", "close")).isTrue();
        assertThat(headers.hasToken("connection", "upgrade")).isFalse();
        assertThat(headers.first("Missing")).isEmpty();
        assertThat(headers.contains("istag")).isTrue();
        assertThat(headers.size()).isEqualTo(4);
    }

    @Test
    void isAnImmutableValue() {
        List<IcapHeaders.Field> fields = new java.util.ArrayList<>(List.of(new IcapHeaders.Field("A", "1")));
        IcapHeaders headers = new IcapHeaders(fields);
        fields.clear();
        assertThat(headers.size()).isOne();
        assertThat(headers).isEqualTo(IcapHeaders.of("A", "1"));
        assertThat(headers.with("B", "2")).isNotEqualTo(headers);
        assertThatThrownBy(() -> headers.fields().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> IcapHeaders.of("odd")).isInstanceOf(IllegalArgumentException.class);
    }
}
