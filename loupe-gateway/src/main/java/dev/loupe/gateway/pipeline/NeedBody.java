package dev.loupe.gateway.pipeline;

/**
 * The stage decides only on the whole body, up to {@code limit} bytes; a body that grows past the largest limit
 * asked for is offered to {@link ExchangeStage#onBodyOverLimit} instead.
 */
public record NeedBody(long limit) implements Step {
    public NeedBody {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit);
        }
    }
}
