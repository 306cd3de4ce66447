package dev.tollgate.metering;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids as version-7 UUIDs (RFC 9562): a millisecond timestamp followed by random bits. Time-ordered ids keep the
 * usage table's primary-key index append-mostly, and drawing from {@link ThreadLocalRandom} keeps the event loop off
 * the synchronized SecureRandom that {@link UUID#randomUUID()} uses. Ids need to be unique, not unguessable.
 */
public final class RequestIds {

    private RequestIds() {
    }

    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
