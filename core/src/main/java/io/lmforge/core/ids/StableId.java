package io.lmforge.core.ids;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * Content/offset ids that do not depend on partitioning, cluster or run: a document read from
 * the same source key at the same offset always gets the same id (never
 * monotonically_increasing_id, whose values change with partitioning).
 */
public final class StableId {
    private StableId() {
    }

    /** 128-bit XXH3 of "sourceKey\u0000offset", as 32 hex chars (collision-safe at 10^12 docs). */
    public static String docId(String sourceKey, long offset) {
        HashValue128 h = Hashing.xxh3_128().hashStream().putString(sourceKey).putChar('\0').putLong(offset).get();
        return String.format("%016x%016x", h.getMostSignificantBits(), h.getLeastSignificantBits());
    }

    /** 128-bit XXH3 of a string as 32 hex chars: fingerprints and versions, not document ids. */
    public static String hash(String s) {
        HashValue128 h = Hashing.xxh3_128().hashCharsTo128Bits(s);
        return String.format("%016x%016x", h.getMostSignificantBits(), h.getLeastSignificantBits());
    }

    /** 64-bit XXH3 of a string: seeds derived from names (e.g. per-example sampling seeds). */
    public static long hash64(String s) {
        return Hashing.xxh3_64().hashCharsToLong(s);
    }
}
