package io.lmforge.dedup.minhash;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * LSH banding (AND within a band of r rows, OR across b bands): two documents are candidates
 * when all r components of at least one band agree. Spark MLlib's MinHashLSH has only the OR
 * part (one hash per table), which is why this is ours.
 */
public final class LshBands {
    private LshBands() {
    }

    /** One 64-bit key per band: a hash of the band index and its r signature components. */
    public static long[] keys(long[] signature, int bands, int rows) {
        if (signature.length < bands * rows) {
            throw new IllegalArgumentException("signature of " + signature.length + " < bands*rows " + bands * rows);
        }
        long[] out = new long[bands];
        HashStream64 h = Hashing.xxh3_64().hashStream();
        for (int b = 0; b < bands; b++) {
            h.reset().putInt(b);
            for (int r = 0; r < rows; r++) {
                h.putLong(signature[b * rows + r]);
            }
            out[b] = h.getAsLong();
        }
        return out;
    }

    /** P(two documents with Jaccard j become candidates) = 1 - (1 - j^r)^b. */
    public static double collisionProbability(double j, int bands, int rows) {
        return 1 - Math.pow(1 - Math.pow(j, rows), bands);
    }

    /** The Jaccard at which the S-curve is steepest, about (1/b)^(1/r). */
    public static double threshold(int bands, int rows) {
        return Math.pow(1.0 / bands, 1.0 / rows);
    }
}
