package io.lmforge.tokenize.mix;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * The held-out split of a chunk, by document: a document is held out when its seeded uniform
 * draw is below the fraction. A language with at least 2 documents and no draw below it still
 * holds out its lowest-draw document, so every language gets a bits-per-byte number. A function
 * of the chunk's own documents only, so replay recomputes the same split for earlier chunks.
 */
public final class HeldoutSplit {
    private HeldoutSplit() {
    }

    /** Adds boolean column {@code heldout}. */
    public static Dataset<Row> apply(Dataset<Row> docs, double fraction, long seed) {
        if (fraction < 0 || fraction >= 1) {
            throw new IllegalArgumentException("mix.heldout-fraction must be in [0, 1), got " + fraction);
        }
        Dataset<Row> u = docs.withColumn("_u", Uniform.ofDoc(seed, "heldout"));
        if (fraction == 0) {
            return u.withColumn("heldout", lit(false)).drop("_u");
        }
        org.apache.spark.sql.expressions.WindowSpec byLang = Window.partitionBy("lang").orderBy(col("_u"), col("doc_id"));
        return u.withColumn("_rank", row_number().over(byLang))
                .withColumn("_n", count("*").over(Window.partitionBy("lang")))
                .withColumn("heldout", col("_u").lt(fraction).or(col("_rank").equalTo(1).and(col("_n").geq(2))))
                .drop("_u", "_rank", "_n");
    }
}
