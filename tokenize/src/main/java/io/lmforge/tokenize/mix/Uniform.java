package io.lmforge.tokenize.mix;

import org.apache.spark.sql.Column;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Seeded pseudo-random numbers as Spark columns: u in [0, 1) from xxhash64(seed, purpose, keys).
 * Every sampling decision of the mix stage is a function of the document's id, so a rerun, a
 * different partitioning or a cluster gives the same mix.
 */
public final class Uniform {
    private static final long RANGE = 1L << 53;

    private Uniform() {
    }

    public static Column hash(long seed, String purpose, Column... keys) {
        Column[] cols = new Column[keys.length + 2];
        cols[0] = lit(seed);
        cols[1] = lit(purpose);
        System.arraycopy(keys, 0, cols, 2, keys.length);
        return xxhash64(cols);
    }

    public static Column of(long seed, String purpose, Column... keys) {
        return pmod(hash(seed, purpose, keys), lit(RANGE)).cast("double").divide(lit((double) RANGE));
    }

    public static Column ofDoc(long seed, String purpose) {
        return of(seed, purpose, col("doc_id"));
    }
}
