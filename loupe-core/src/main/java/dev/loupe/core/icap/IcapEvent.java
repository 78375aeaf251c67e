package dev.loupe.core.icap;

import java.util.Objects;

/**
 * What {@link IcapResponseDecoder} reports, in this order for every response: one {@link Head}, zero or more
 * {@link BodyData} as the body arrives (never buffered whole), one {@link End}. A 100 Continue or 204 is a
 * response of its own: Head immediately followed by End.
 */
public sealed interface IcapEvent permits IcapEvent.Head, IcapEvent.BodyData, IcapEvent.End {

    /** Status, ICAP headers and encapsulated HTTP heads are complete; body data (if any) follows. */
    record Head(IcapResponseHead head) implements IcapEvent {
        public Head {
            Objects.requireNonNull(head, "head");
        }
    }

    /**
     * The next bytes of the de-chunked body, in order. Pieces follow the network's fragmentation, not the
     * server's chunk boundaries. The array is fresh and belongs to the receiver.
     */
    record BodyData(byte[] bytes) implements IcapEvent {
        public BodyData {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public String toString() {
            return "BodyData[" + bytes.length + " bytes]";
        }
    }

    /**
     * The response is complete; the decoder is ready for the next one on this connection.
     *
     * @param trailers            ICAP trailer fields after the last chunk (usually none)
     * @param useOriginalBodyFrom from a 206's last chunk ({@code use-original-body=N}): continue with the
     *                            original body from this offset; -1 when absent
     */
    record End(IcapResponseHead head, IcapHeaders trailers, long useOriginalBodyFrom) implements IcapEvent {
        public End {
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(trailers, "trailers");
        }
    }
}
