package dev.loupe.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.gateway.pipeline.Action;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.NeedBody;
import dev.loupe.gateway.pipeline.RouteTarget;
import dev.loupe.gateway.pipeline.StageExchange;
import dev.loupe.gateway.pipeline.Step;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One phase through the stages: the order, where a route ends it, and the one capture for every body stage. */
class StageRunTest {
    private final List<String> seen = new ArrayList<>();
    private final RouteTarget device = () -> "mark:2";

    @Test
    void aRouteEndsThePhaseTheStagesAfterItRunBeyondTheDevice() {
        StageRun run = new StageRun(List.of(stage("intel", Action.PROCEED), stage("inline", new Action.Route(device)),
                stage("icap", new NeedBody(10))), null, true);
        StageRun.Outcome outcome = run.heads(get());
        assertThat(outcome).isInstanceOfSatisfying(StageRun.Go.class, go -> {
            assertThat(go.route()).isSameAs(device);
            assertThat(go.body()).isNull();
        });
        assertThat(seen).containsExactly("intel", "inline");
        assertThat(run.ran()).extracting(ExchangeStage::name).containsExactly("intel", "inline");
    }

    @Test
    void aBodyStageBeforeTheRouteHoldsTheRequestAndTheRouteStillApplies() {
        StageRun run = new StageRun(List.of(stage("icap", new NeedBody(10)), stage("inline", new Action.Route(device))),
                null, true);
        assertThat(run.heads(get())).as("the body must be held first").isNull();
        List<StageRun.Outcome> done = new ArrayList<>();
        run.bodies(null, done::add);
        assertThat(done).singleElement().isInstanceOfSatisfying(StageRun.Go.class,
                go -> assertThat(go.route()).isSameAs(device));
    }

    @Test
    void theLargestLimitAskedForIsTheCapture() {
        StageRun run = new StageRun(List.of(stage("a", new NeedBody(10)), stage("b", new NeedBody(99)),
                stage("c", Action.PROCEED)), null, true);
        assertThat(run.heads(get())).isNull();
        assertThat(run.limit()).isEqualTo(99);
        assertThat(seen).containsExactly("a", "b", "c");
    }

    private static HttpRequest get() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    }

    private ExchangeStage stage(String name, Step step) {
        return new ExchangeStage() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Step onRequestHead(StageExchange exchange, HttpRequest head) {
                seen.add(name);
                return step;
            }
        };
    }
}
