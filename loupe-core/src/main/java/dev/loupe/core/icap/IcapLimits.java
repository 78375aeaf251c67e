package dev.loupe.core.icap;

/**
 * Bounds on what the response decoder buffers, so that a broken or hostile ICAP server cannot make the
 * gateway allocate without limit. Body data is never buffered (it is streamed out), so only the
 * line-oriented parts need limits.
 *
 * @param maxHeadBytes             ICAP status line + headers (and, separately, the ICAP trailer block)
 * @param maxEncapsulatedHeadBytes all encapsulated HTTP heads of one response together
 * @param maxChunkLineBytes        one chunk-size line including chunk extensions
 * @param maxChunkSize             largest accepted chunk size
 */
public record IcapLimits(int maxHeadBytes, int maxEncapsulatedHeadBytes, int maxChunkLineBytes, long maxChunkSize) {

    /** 64 KiB heads, 1 KiB chunk lines, chunks below 2^31 bytes. */
    public static final IcapLimits DEFAULTS = new IcapLimits(64 * 1024, 64 * 1024, 1024, Integer.MAX_VALUE);

    public IcapLimits {
        if (maxHeadBytes < 64 || maxEncapsulatedHeadBytes < 64 || maxChunkLineBytes < 8 || maxChunkSize < 1) {
            throw new IllegalArgumentException("ICAP limits too small to decode any response");
        }
    }
}
