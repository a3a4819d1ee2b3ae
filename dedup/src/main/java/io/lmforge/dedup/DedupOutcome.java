package io.lmforge.dedup;

import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.LangPartitionedWrite;
import io.lmforge.dedup.minhash.MinHasher;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/** The result of a {@link DedupRun}: what is kept, what is removed and why, and this chunk's index rows. */
public final class DedupOutcome {
    static final List<String> HELPER_COLUMNS = List.of("seq", "doc_key", "chunk", "exact_hash", "group_rep", "exact_rep",
            "signature", "component");
    private final DedupRun run;
    final Dataset<Row> docs;
    final Dataset<Row> lineDropped;
    final Dataset<Row> exactDups;
    final Dataset<Row> fuzzyDups;
    final Dataset<Row> kept;
    final Dataset<Row> labelled;
    final Dataset<Row> sigs;
    final Dataset<Row> bandRows;
    final Dataset<Row> lineCounts;

    DedupOutcome(DedupRun run, Dataset<Row> docs, Dataset<Row> lineDropped, Dataset<Row> exactDups, Dataset<Row> fuzzyDups, Dataset<Row> kept,
            Dataset<Row> labelled, Dataset<Row> sigs, Dataset<Row> bandRows, Dataset<Row> lineCounts) {
        this.run = run;
        this.docs = docs;
        this.lineDropped = lineDropped;
        this.exactDups = exactDups;
        this.fuzzyDups = fuzzyDups;
        this.kept = kept;
        this.labelled = labelled;
        this.sigs = sigs;
        this.bandRows = bandRows;
        this.lineCounts = lineCounts;
    }

    private Dataset<Row> exactFinal;

    /** Exact duplicates with the final keeper of their group (through a fuzzy keeper when the exact keeper is itself a fuzzy duplicate). */
    Dataset<Row> exactWithFinal() {
        if (exactFinal != null) {
            return exactFinal;
        }
        Dataset<Row> fin = labelled.select(col("doc_key").as("u_key"), col("component").as("u_final"));
        return exactDups.join(fin, exactDups.col("exact_rep").equalTo(fin.col("u_key")), "left")
                .withColumn("final_rep", functions.coalesce(col("u_final"), col("exact_rep"))).drop("u_key", "u_final");
    }

    /** Removed documents: doc_id, lang, kind, duplicate_of, duplicate_of_chunk, similarity, reason. */
    public Dataset<Row> duplicates() {
        UDF2<scala.collection.Seq<Object>, scala.collection.Seq<Object>, Double> jac =
                (a, b) -> a == null || b == null ? null : MinHasher.estimatedJaccard(DedupRun.toLongs(a), DedupRun.toLongs(b));
        Dataset<Row> keeperSig = sigs.select(col("doc_key").as("k_key"), col("signature").as("k_sig"));
        Dataset<Row> fuzzy = fuzzyDups.join(keeperSig, fuzzyDups.col("component").equalTo(keeperSig.col("k_key")), "left")
                .select(col("doc_id"), col("lang"), lit("fuzzy").as("kind"), col("component").as("dup_key"),
                        functions.udf(jac, DataTypes.DoubleType).apply(col("signature"), col("k_sig")).as("similarity"),
                        lit(null).cast(DataTypes.StringType).as("reason"));
        Dataset<Row> exact = exactWithFinal().select(col("doc_id"), col("lang"), lit("exact").as("kind"), col("final_rep").as("dup_key"),
                lit(1.0).as("similarity"), lit(null).cast(DataTypes.StringType).as("reason"));
        Dataset<Row> line = lineDropped.select(col("doc_id"), col("lang"), lit("line").as("kind"), lit(null).cast(DataTypes.StringType).as("dup_key"),
                lit(null).cast(DataTypes.DoubleType).as("similarity"), lit("too_short_after_line_dedup").as("reason"));
        Column seqOfKey = functions.substring(col("dup_key"), 1, 6).cast(DataTypes.IntegerType);
        Column chunkOfKey = lit(null).cast(DataTypes.StringType);
        for (Map.Entry<Integer, String> e : run.chunkOfSeq().entrySet()) {
            chunkOfKey = functions.when(seqOfKey.equalTo(e.getKey()), lit(e.getValue())).otherwise(chunkOfKey);
        }
        return exact.unionByName(fuzzy).unionByName(line)
                .withColumn("duplicate_of", functions.substring(col("dup_key"), 8, 64))
                .withColumn("duplicate_of_chunk", chunkOfKey)
                .select("doc_id", "lang", "kind", "duplicate_of", "duplicate_of_chunk", "similarity", "reason");
    }

    /** Kept documents with dup_cluster_size (themselves + every exact and fuzzy duplicate of them in this run). */
    public Dataset<Row> keptDocs() {
        Dataset<Row> members = fuzzyDups.select(col("component").as("k")).union(exactWithFinal().select(col("final_rep").as("k")));
        Dataset<Row> sizes = run.materialised(members.groupBy("k").agg(functions.count(lit(1)).as("n_dups")));
        Dataset<Row> withSize = kept.join(sizes, kept.col("doc_key").equalTo(sizes.col("k")), "left")
                .withColumn("dup_cluster_size", functions.coalesce(col("n_dups"), lit(0L)).plus(1).cast(DataTypes.IntegerType))
                .drop("k", "n_dups");
        List<Column> cols = new ArrayList<>();
        for (String c : withSize.columns()) {
            if (!HELPER_COLUMNS.contains(c)) {
                cols.add(col(c));
            }
        }
        return withSize.select(cols.toArray(new Column[0]));
    }

    /** Drops the datasets the run cached; the outcome is not usable after. */
    public void release() {
        run.release();
    }

    /** Keys of removed documents (for tests comparing incremental and batch runs): doc_id -> keeper doc_id. */
    public Dataset<Row> removedWithKeepers() {
        return duplicates().select("doc_id", "kind", "duplicate_of");
    }

    DedupCounts write(Path stagedDocs, Path stagedDups, Path stagedIndex) {
        // used by the kept documents' cluster sizes, the duplicates and the index: compute once
        Dataset<Row> exactFinal = run.cached(exactWithFinal());
        this.exactFinal = exactFinal;
        Dataset<Row> keptDocs = keptDocs();
        Dataset<Row> duplicates = duplicates();
        LangPartitionedWrite.write(DatasetSchemas.conform(keptDocs, DatasetSchemas.DEDUP_DOCS), run.params().filesPerLang(), "zstd",
                stagedDocs.toString());
        DatasetSchemas.conform(duplicates, DatasetSchemas.DUPLICATES).coalesce(1).sortWithinPartitions("doc_id").write().option("compression", "zstd").parquet(stagedDups.toString());

        // index rows of this chunk: every surviving document's exact hash with its final keeper,
        // band keys and signatures of the exact-unique ones, and line counts
        Dataset<Row> exactIdx = labelled.select(col("exact_hash"), col("doc_key"), col("component").as("rep_key"))
                .unionByName(exactFinal.select(col("exact_hash"), col("doc_key"), col("final_rep").as("rep_key")));
        exactIdx.coalesce(1).write().parquet(new Path(stagedIndex, "exact").toString());
        Dataset<Row> bands = bandRows.columns().length == 0
                ? run.spark().createDataFrame(List.of(), new StructType().add("band", DataTypes.IntegerType).add("band_hash", DataTypes.LongType)
                .add("doc_key", DataTypes.StringType)) : bandRows;
        bands.coalesce(1).write().parquet(new Path(stagedIndex, "bands").toString());
        labelled.select(col("doc_key"), col("doc_id"), col("component").as("rep_key"), col("signature"))
                .coalesce(1).write().parquet(new Path(stagedIndex, "docs").toString());
        Dataset<Row> lines = lineCounts != null ? lineCounts : run.spark().createDataFrame(List.of(),
                new StructType().add("line_hash", DataTypes.LongType).add("n_docs", DataTypes.LongType));
        lines.coalesce(1).write().parquet(new Path(stagedIndex, "lines").toString());

        return DedupCounts.of(docs, stagedDocs, stagedDups);
    }
}
