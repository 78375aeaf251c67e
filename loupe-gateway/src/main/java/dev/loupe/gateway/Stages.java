package dev.loupe.gateway;

import dev.loupe.core.config.StageOrder;
import dev.loupe.gateway.icap.IcapAdaptation;
import dev.loupe.gateway.icap.IcapStage;
import dev.loupe.gateway.inline.Inline;
import dev.loupe.gateway.inline.InlineRouteStage;
import dev.loupe.gateway.intel.IntelService;
import dev.loupe.gateway.intel.UrlIntelStage;
import dev.loupe.gateway.pipeline.BodySpool;
import dev.loupe.gateway.pipeline.ExchangeStage;
import dev.loupe.gateway.pipeline.StagePlan;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/** Builds the exchange pipeline from what is configured: one stage per kind of service, in the configured order. */
final class Stages {
    /** Without ICAP no stage asks for a body; should one ever, it is held in memory up to this, then on disk. */
    private static final long DEFAULT_SPOOL_MEMORY = 1 << 20;

    private Stages() {
    }

    static StagePlan plan(StageOrder order, IntelService intel, IcapAdaptation icap, Inline inline) {
        Map<StageOrder.Stage, ExchangeStage> configured = new EnumMap<>(StageOrder.Stage.class);
        configured.put(StageOrder.Stage.URL_INTEL, new UrlIntelStage(intel));
        if (icap != null) {
            configured.put(StageOrder.Stage.ICAP, new IcapStage(icap));
        }
        if (inline != null) {
            configured.put(StageOrder.Stage.INLINE, new InlineRouteStage(inline.service()));
        }
        Supplier<BodySpool> spools = icap != null ? icap::newSpool : () -> new BodySpool(DEFAULT_SPOOL_MEMORY,
                java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
        return StagePlan.of(order, configured, spools);
    }
}
