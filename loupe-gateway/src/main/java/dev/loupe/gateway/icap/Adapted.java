package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import dev.loupe.core.http.ErrorPage;
import dev.loupe.core.log.IcapResult;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/** What the ICAP services made of one HTTP message, for the relay to carry out. */
public sealed interface Adapted {
    List<IcapResult> results();

    /**
     * Send on this message: the original head and body, or what a service replaced them with.
     *
     * @param head the head to send (the original object when unmodified)
     * @param body the body to send (may be the original spool), null for none
     */
    record Pass(HttpMessage head, BodySpool body, boolean modified, List<IcapResult> results) implements Adapted {
    }

    /** A REQMOD service answered the request itself (e.g. a block page): the origin is not contacted. */
    record Respond(HttpResponse response, BodySpool body, List<IcapResult> results) implements Adapted {
    }

    /** Nothing may pass: a fail-closed service failed, or the body was too large to scan where that blocks. */
    record Refuse(ErrorPage page, List<IcapResult> results) implements Adapted {
    }
}
