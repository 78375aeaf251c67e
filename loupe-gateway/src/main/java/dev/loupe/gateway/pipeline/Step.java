package dev.loupe.gateway.pipeline;

/** What a stage answers to a head: a decision ({@link Action}), or that it needs the body first. */
public sealed interface Step permits Action, NeedBody {
}
