package dev.loupe.gateway.pipeline;

import dev.loupe.core.config.StageOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The configured stages in their configured order, cut into the lists each kind of relay runs.
 *
 * @param decrypted      a decrypted connection's client leg: every stage, the inline route among them (the stages
 *                       after it run here only when an exchange goes straight to the origin)
 * @param plain          plain HTTP and tunnels without inline devices: every stage but the inline route
 * @param returnLeg      Loupe's return listener, between the device and the origin: the stages after the route
 * @param mirrorOnOriginLeg whether the mirror records the origin leg (after the device) rather than the device leg
 * @param spools         where a body the stages asked for is held
 */
public record StagePlan(List<ExchangeStage> decrypted, List<ExchangeStage> plain, List<ExchangeStage> returnLeg,
                        boolean mirrorOnOriginLeg, Supplier<BodySpool> spools) {

    public StagePlan {
        decrypted = List.copyOf(decrypted);
        plain = List.copyOf(plain);
        returnLeg = List.copyOf(returnLeg);
    }

    /** {@code configured}: the stage of each kind that has something configured; the others pass exchanges on. */
    public static StagePlan of(StageOrder order, Map<StageOrder.Stage, ExchangeStage> configured,
                               Supplier<BodySpool> spools) {
        List<ExchangeStage> decrypted = new ArrayList<>();
        List<ExchangeStage> plain = new ArrayList<>();
        List<ExchangeStage> returnLeg = new ArrayList<>();
        for (StageOrder.Stage kind : order.stages()) {
            ExchangeStage stage = configured.get(kind);
            if (stage == null) {
                continue;
            }
            decrypted.add(stage);
            if (kind != StageOrder.Stage.INLINE) {
                plain.add(stage);
                if (order.afterDevice(kind)) {
                    returnLeg.add(stage);
                }
            }
        }
        return new StagePlan(decrypted, plain, returnLeg, order.afterDevice(StageOrder.Stage.MIRROR), spools);
    }
}
