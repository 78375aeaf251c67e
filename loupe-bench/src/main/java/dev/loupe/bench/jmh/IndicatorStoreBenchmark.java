package dev.loupe.bench.jmh;

import dev.loupe.core.intel.Indicator;
import dev.loupe.core.intel.IndicatorStore;
import dev.loupe.core.intel.IndicatorType;
import dev.loupe.core.intel.Match;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Threat-intelligence lookups against a store of 1,000,000 synthetic indicators (600k domains, a third of
 * them covering subdomains; 300k URLs, half of them path prefixes; 100k IPv4/IPv6 addresses and networks
 * of mixed prefix lengths), as the gateway does for every connection and request. Each lookup benchmark
 * cycles through 1024 prepared inputs so that one hot key in cache does not flatter the figures. The
 * build of the whole store is timed once in the setup log and by the single-shot {@link #build} benchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class IndicatorStoreBenchmark {
    private static final int DOMAINS = 600_000;
    private static final int URLS = 300_000;
    private static final int ADDRESSES = 100_000;
    private static final int INPUTS = 1024;
    private static final Instant NOW = Instant.parse("2025-06-01T00:00:00Z");
    private static final String[] TLDS = {"com", "net", "org", "io", "example", "co.uk"};

    private List<Indicator> indicators;
    private IndicatorStore store;
    private final String[] hostHits = new String[INPUTS];
    private final String[] hostMisses = new String[INPUTS];
    private final String[] urlHitHosts = new String[INPUTS];
    private final String[] urlHitPaths = new String[INPUTS];
    private final String[] urlMissPaths = new String[INPUTS];
    private final InetAddress[] addressHits = new InetAddress[INPUTS];
    private final InetAddress[] addressMisses = new InetAddress[INPUTS];
    private int next;

    @Setup
    public void setUp() throws UnknownHostException {
        SplittableRandom random = new SplittableRandom(42);
        indicators = new ArrayList<>(DOMAINS + URLS + ADDRESSES);
        addDomains(random);
        addUrls(random);
        addAddresses(random);
        long start = System.nanoTime();
        store = IndicatorStore.build(indicators, NOW);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("%nIndicatorStore.build: %d indicators (%s) in %d ms%n",
                store.size(), store.countsByType(), millis);
        prepareInputs(random);
    }

    /** Every third domain covers its subdomains; names are "d<i>.<word>.<tld>" with a random word. */
    private void addDomains(SplittableRandom random) {
        for (int i = 0; i < DOMAINS; i++) {
            String name = (i % 3 == 0 ? "*." : "") + domain(i, random);
            indicators.add(Indicator.of(IndicatorType.DOMAIN, name, "bench", random.nextInt(101), NOW));
        }
    }

    private static String domain(int i, SplittableRandom random) {
        return "d" + i + ".w" + Integer.toString(random.nextInt(1 << 20), 36) + "." + TLDS[i % TLDS.length];
    }

    /** URLs on hosts that are not domain indicators; even ones are path prefixes ("/kit<i>/"). */
    private void addUrls(SplittableRandom random) {
        for (int i = 0; i < URLS; i++) {
            String path = i % 2 == 0 ? "/kit" + i + "/" : "/p/" + i + "/payload.exe?id=" + random.nextInt(1000);
            String url = "https://u" + (i % 50_000) + ".site" + (i % 7) + ".test" + path;
            indicators.add(Indicator.of(IndicatorType.URL, url, "bench", 80, NOW));
        }
    }

    /** 50k IPv4 addresses in 10/8, 40k IPv4 networks (/20 to /30) from 11/8 up, 10k IPv6 (/128 and /48). */
    private void addAddresses(SplittableRandom random) {
        for (int i = 0; i < ADDRESSES; i++) {
            String value;
            IndicatorType type;
            if (i < 50_000) {
                value = "10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff);
                type = IndicatorType.IP;
            } else if (i < 90_000) {
                // each network at the start of its own /20 block from 11.0.0.0 up, so none collapse into another
                int block = (11 << 24) + ((i - 50_000) << 12);
                value = (block >>> 24) + "." + (block >>> 16 & 0xff) + "." + (block >>> 8 & 0xff) + ".0/"
                        + (20 + random.nextInt(11));
                type = IndicatorType.CIDR;
            } else {
                boolean single = i % 2 == 0;
                value = "2001:db8:" + Integer.toHexString(i - 90_000) + (single ? "::1" : "::/48");
                type = single ? IndicatorType.IP : IndicatorType.CIDR;
            }
            indicators.add(Indicator.of(type, value, "bench", 60, NOW));
        }
    }

    private void prepareInputs(SplittableRandom random) throws UnknownHostException {
        List<Indicator> wildcards = indicators.stream()
                .filter(i -> i.type() == IndicatorType.DOMAIN && i.includeSubdomains()).limit(INPUTS).toList();
        for (int i = 0; i < INPUTS; i++) {
            hostHits[i] = "cdn.img.a" + i + "." + wildcards.get(i).value();
            hostMisses[i] = "cdn.img.a" + i + ".nothing" + i + ".example";
            int url = 2 * random.nextInt(URLS / 2); // an even index: a path prefix
            urlHitHosts[i] = "u" + (url % 50_000) + ".site" + (url % 7) + ".test";
            urlHitPaths[i] = "/kit" + url + "/stage2/loader.js?v=" + i;
            urlMissPaths[i] = "/static/app" + i + "/main.js?v=" + i;
            addressHits[i] = InetAddress.getByName(i % 2 == 0 ? "10.0." + (i >> 8) + "." + (i & 0xff)
                    : "2001:db8:" + Integer.toHexString(2 * i) + "::1");
            addressMisses[i] = InetAddress.getByName(i % 2 == 0 ? "192.0.2." + (i & 0xff) : "2001:db9::" + i);
        }
        for (int i = 0; i < INPUTS; i++) {
            check(store.matchHost(hostHits[i], NOW), true, hostHits[i]);
            check(store.matchHost(hostMisses[i], NOW), false, hostMisses[i]);
            check(store.matchUrl("https", urlHitHosts[i], 443, urlHitPaths[i], NOW), true, urlHitPaths[i]);
            check(store.matchUrl("https", urlHitHosts[i], 443, urlMissPaths[i], NOW), false, urlMissPaths[i]);
            check(store.matchAddress(addressHits[i], NOW), true, addressHits[i]);
            check(store.matchAddress(addressMisses[i], NOW), false, addressMisses[i]);
        }
    }

    private static void check(Optional<Match> match, boolean expected, Object input) {
        if (match.isPresent() != expected) {
            String should = expected ? " should match" : " should not match";
            throw new IllegalStateException("benchmark input " + input + should);
        }
    }

    private int nextInput() {
        next = (next + 1) & (INPUTS - 1);
        return next;
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public IndicatorStore build() {
        return IndicatorStore.build(indicators, NOW);
    }

    @Benchmark
    public Optional<Match> matchHostHit() {
        return store.matchHost(hostHits[nextInput()], NOW);
    }

    @Benchmark
    public Optional<Match> matchHostMiss() {
        return store.matchHost(hostMisses[nextInput()], NOW);
    }

    @Benchmark
    public Optional<Match> matchUrlHit() {
        int i = nextInput();
        return store.matchUrl("https", urlHitHosts[i], 443, urlHitPaths[i], NOW);
    }

    @Benchmark
    public Optional<Match> matchUrlMiss() {
        int i = nextInput();
        return store.matchUrl("https", urlHitHosts[i], 443, urlMissPaths[i], NOW);
    }

    @Benchmark
    public Optional<Match> matchAddressHit() {
        return store.matchAddress(addressHits[nextInput()], NOW);
    }

    @Benchmark
    public Optional<Match> matchAddressMiss() {
        return store.matchAddress(addressMisses[nextInput()], NOW);
    }
}
