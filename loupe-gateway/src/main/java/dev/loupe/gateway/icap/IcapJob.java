package dev.loupe.gateway.icap;

import dev.loupe.gateway.pipeline.BodySpool;

import dev.loupe.core.icap.IcapHeaders;
import dev.loupe.core.icap.IcapMethod;

/**
 * One message to send to one ICAP service: the encapsulated heads, the complete body (null for none) and
 * the extra ICAP headers (X-Client-IP and friends).
 *
 * @param extension the URL's file extension, for the service's Transfer-* lists; empty when none
 */
record IcapJob(IcapMethod method, byte[] requestHead, byte[] responseHead, BodySpool body, IcapHeaders headers,
               String extension) {

    boolean hasBody() {
        return body != null && body.length() > 0;
    }
}
