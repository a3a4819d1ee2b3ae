package io.lmforge.core.dataset;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * How per-document datasets are written: lang=L/ directories, {@code filesPerLang} files in each
 * (rows spread by a hash of doc_id), rows sorted by doc_id, so output is identical whatever the
 * Spark partitioning was.
 */
public final class LangPartitionedWrite {
    private LangPartitionedWrite() {
    }

    public static void write(Dataset<Row> docs, int filesPerLang, String codec, String path) {
        Column[] partitioning = filesPerLang <= 1 ? new Column[]{col("lang")}
                : new Column[]{col("lang"), functions.pmod(functions.xxhash64(col("doc_id")), lit(filesPerLang))};
        // sorted by lang first: the writer needs rows grouped by its partition column, and a sort of its own
        // would replace (not refine) ours, leaving rows in input order
        docs.repartition(partitioning).sortWithinPartitions("lang", "doc_id").write().partitionBy("lang")
                .option("compression", codec).parquet(path);
    }
}
