package dev.loupe.core.icap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.core.config.IcapServiceConfig;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceScopeTest {
    private static ServiceScope scope(List<String> hosts, List<String> methods, List<String> types, long max) {
        return new ServiceScope(new IcapServiceConfig("av", "respmod", List.of(URI.create("icap://h/s")), null, null,
                hosts, methods, types, max, null, null, null, null, null, null, null, null, null, null, null));
    }

    @Test
    void emptyListsMatchEverything() {
        ServiceScope all = scope(null, null, null, 10);
        assertThat(all.excludes("any.example", "GET", null)).isNull();
        assertThat(all.overLimit(10)).isFalse();
        assertThat(all.overLimit(11)).isTrue();
    }

    @Test
    void hostsMatchExactlyOrBySuffix() {
        ServiceScope s = scope(List.of("files.example", ".cdn.test"), null, null, 10);
        assertThat(s.excludes("files.example", "GET", null)).isNull();
        assertThat(s.excludes("FILES.example", "GET", null)).isNull();
        assertThat(s.excludes("a.cdn.test", "GET", null)).isNull();
        assertThat(s.excludes("cdn.test", "GET", null)).isNull();
        assertThat(s.excludes("evilcdn.test", "GET", null)).isEqualTo("host not in scope");
        assertThat(s.excludes("sub.files.example", "GET", null)).isEqualTo("host not in scope");
    }

    @Test
    void methodsAndContentTypesNarrowTheScope() {
        ServiceScope s = scope(null, List.of("post", "PUT"), List.of("application/*", "text/html"), 10);
        assertThat(s.excludes("h", "POST", "Application/Zip")).isNull();
        assertThat(s.excludes("h", "PUT", "text/html; charset=utf-8")).isNull();
        assertThat(s.excludes("h", "GET", "text/html")).isEqualTo("method not in scope");
        assertThat(s.excludes("h", "POST", "text/plain")).isEqualTo("content type not in scope");
        assertThat(s.excludes("h", "POST", null)).as("no type only matches */*").isEqualTo("content type not in scope");
        assertThat(scope(null, null, List.of("*/*"), 1).excludes("h", "GET", null)).isNull();
    }
}
