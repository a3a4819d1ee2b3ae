package io.lmforge.dedup;

import io.lmforge.dedup.graph.ConnectedComponents;
import io.lmforge.dedup.index.DedupIndex;
import io.lmforge.dedup.line.LineDedup;
import io.lmforge.dedup.minhash.LshBands;
import io.lmforge.dedup.minhash.MinHasher;
import io.lmforge.dedup.shingle.Shingler;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The dedup algorithm over DataFrames. Documents carry an arrival number `seq`; node keys are
 * "seq:doc_id", so the smallest key of a group is its earliest document (the keeper rule: earliest
 * chunk, then smallest doc_id). The stage runs it on one chunk against the persisted history;
 * tests run it on several chunks at once to check that both give the same result.
 */
public final class DedupRun {
    static final StructType LINE_RESULT = new StructType().add("text", DataTypes.StringType).add("removed", DataTypes.IntegerType);

    private final SparkSession spark;
    private final DedupParams p;
    private final DedupIndex index;
    private final List<DedupIndex.Entry> entries;
    private final int seq;
    private final Map<Integer, String> chunkOfSeq;
    private final PrintStream console;
    private final List<Dataset<Row>> cachedByThisRun = new ArrayList<>();

    public DedupRun(SparkSession spark, DedupParams p, DedupIndex index, List<DedupIndex.Entry> entries, int seq,
                    Map<Integer, String> chunkOfSeq, PrintStream console) {
        this.spark = spark;
        this.p = p;
        this.index = index;
        this.entries = entries;
        this.seq = seq;
        this.chunkOfSeq = chunkOfSeq;
        this.console = console;
    }

    private Dataset<Row> history(String table) {
        return index == null ? null : index.history(spark, entries, seq, table);
    }

    /** @param docs rows of docs/ (doc_id, lang, text, ...); a `seq` column is added when absent */
    public DedupOutcome execute(Dataset<Row> docs) {
        if (!List.of(docs.columns()).contains("seq")) {
            docs = docs.withColumn("seq", lit(seq));
        }
        docs = docs.withColumn("doc_key", functions.format_string("%06d:%s", col("seq"), col("doc_id")))
                .withColumn("n_lines_removed", lit(0));
        Dataset<Row> lineCounts = null;
        if (p.line()) {
            lineCounts = lineCounts(docs);
            docs = withoutBoilerplate(docs, boilerplate(lineCounts));
        }
        // The exact key is computed in the pass that removes boilerplate and cached with the rows; every
        // later decision is made on narrow tables (keys, hashes, signatures) so the wide rows are cached
        // once and shuffled once, by the language-partitioned write.
        UDF1<String, String> exactKey = TextKeys::exactKey;
        docs = cached(docs.withColumn("exact_hash", functions.udf(exactKey, DataTypes.StringType).apply(col("text"))));
        Column tooShort = col("n_lines_removed").gt(0).and(functions.length(col("text")).lt(p.minDocChars()));
        Dataset<Row> lineDropped = docs.filter(tooShort);
        Dataset<Row> survivors = docs.filter(functions.not(tooShort));

        // 2. exact: the keeper of a hash shared by two or more documents (or already in the history)
        Column exactRep = col("doc_key");
        if (p.exact()) {
            Dataset<Row> groups = materialised(exactGroups(survivors));
            survivors = survivors.join(groups, survivors.col("exact_hash").eqNullSafe(groups.col("g_hash")), "left").drop("g_hash");
            exactRep = functions.coalesce(col("group_rep"), col("doc_key"));
        }
        survivors = survivors.withColumn("exact_rep", exactRep);
        Dataset<Row> exactDups = survivors.filter(col("exact_rep").notEqual(col("doc_key")))
                .select("doc_key", "doc_id", "lang", "exact_hash", "exact_rep");
        Dataset<Row> unique = survivors.filter(col("exact_rep").equalTo(col("doc_key")));

        // 3. fuzzy: signatures, bands, candidate edges, verification, connected components
        Shingler shingler = new Shingler(p.shingle(), p.ngramSize());
        MinHasher hasher = new MinHasher(p.permutations(), p.seed());
        UDF1<String, long[]> sigFn = t -> hasher.signature(shingler.shingles(t));
        // materialised: with its real size known, the verification joins broadcast the signatures when they are small
        Dataset<Row> signed = materialised(unique.select(col("doc_key"), col("doc_id"), col("lang"), col("exact_hash"),
                functions.udf(sigFn, DataTypes.createArrayType(DataTypes.LongType)).apply(col("text")).as("signature")));
        Dataset<Row> sigs = signed.select(col("doc_key"), col("signature"));
        Dataset<Row> bandRows = spark.emptyDataFrame();
        Dataset<Row> labels;
        if (p.fuzzy()) {
            bandRows = bandRows(signed);
            Dataset<Row> histDocs = history("docs");
            if (histDocs != null) {
                sigs = sigs.unionByName(histDocs.select("doc_key", "signature"));
            }
            labels = components(candidateEdges(bandRows, sigs, histDocs));
        } else {
            labels = spark.createDataFrame(List.of(), new StructType().add("node", DataTypes.StringType).add("component", DataTypes.StringType));
        }
        Dataset<Row> labelled = cached(signed.join(labels, signed.col("doc_key").equalTo(labels.col("node")), "left").drop("node")
                .withColumn("component", functions.coalesce(col("component"), col("doc_key"))));
        Dataset<Row> fuzzyDups = labelled.filter(col("component").notEqual(col("doc_key")));
        Dataset<Row> fuzzyKeys = materialised(fuzzyDups.select(col("doc_key").as("f_key")));
        Dataset<Row> kept = unique.join(fuzzyKeys, unique.col("doc_key").equalTo(fuzzyKeys.col("f_key")), "left_anti");

        return new DedupOutcome(this, docs, lineDropped, exactDups, fuzzyDups, kept, labelled, sigs, bandRows, lineCounts);
    }

    /** Distinct line hashes per document, counted over the chunk (narrow; cached: the index stores them too). */
    private Dataset<Row> lineCounts(Dataset<Row> docs) {
        LineDedup lines = new LineDedup(p.minLineChars());
        UDF1<String, long[]> hashes = lines::lineHashes;
        return cached(docs.select(functions.explode(functions.udf(hashes, DataTypes.createArrayType(DataTypes.LongType)).apply(col("text"))).as("line_hash"))
                .groupBy("line_hash").agg(functions.count(lit(1)).as("n_docs")));
    }

    /** Hashes of lines in more than lineMaxRepeats documents of the chunk and its history, ascending. */
    private long[] boilerplate(Dataset<Row> lineCounts) {
        Dataset<Row> total = lineCounts;
        Dataset<Row> hist = history("lines");
        if (hist != null) {
            total = total.unionByName(hist.select("line_hash", "n_docs")).groupBy("line_hash").agg(functions.sum("n_docs").as("n_docs"));
        }
        long[] boilerplate = total.filter(col("n_docs").gt(p.lineMaxRepeats())).select("line_hash").as(org.apache.spark.sql.Encoders.LONG())
                .collectAsList().stream().mapToLong(Long::longValue).sorted().toArray();
        console.printf(Locale.ROOT, "dedup: %,d boilerplate lines (in more than %d documents)%n", boilerplate.length, p.lineMaxRepeats());
        return boilerplate;
    }

    private Dataset<Row> withoutBoilerplate(Dataset<Row> docs, long[] boilerplate) {
        // Boilerplate hashes go to every task as a sorted array (8 bytes each: 10^6 lines = 8 MB).
        LineDedup lines = new LineDedup(p.minLineChars());
        Broadcast<long[]> bp = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(boilerplate);
        UDF1<String, Row> remove = t -> {
            LineDedup.Result r = lines.removeBoilerplate(t, bp.value());
            return RowFactory.create(r.text(), r.removed());
        };
        return docs.withColumn("_lines", functions.udf(remove, LINE_RESULT).asNondeterministic().apply(col("text")))
                .withColumn("text", col("_lines.text")).withColumn("n_lines_removed", col("_lines.removed")).drop("_lines");
    }

    /** Narrow rows (g_hash, group_rep): hashes shared by two or more survivors or already in the history, with their keeper. */
    private Dataset<Row> exactGroups(Dataset<Row> survivors) {
        Dataset<Row> groups = survivors.groupBy(col("exact_hash").as("g_hash"))
                .agg(functions.min("doc_key").as("chunk_rep"), functions.count(lit(1)).as("n"));
        Dataset<Row> hist = history("exact");
        if (hist == null) {
            return groups.filter(col("n").gt(1)).select(col("g_hash"), col("chunk_rep").as("group_rep"));
        }
        Dataset<Row> histRep = hist.groupBy(col("exact_hash").as("h_hash")).agg(functions.min("rep_key").as("hist_rep"));
        return groups.join(histRep, groups.col("g_hash").equalTo(histRep.col("h_hash")), "left")
                .filter(col("n").gt(1).or(col("hist_rep").isNotNull()))
                .select(col("g_hash"), functions.coalesce(col("hist_rep"), col("chunk_rep")).as("group_rep"));
    }

    /** Rows (band, band_hash, doc_key) of the chunk's exact-unique documents. */
    private Dataset<Row> bandRows(Dataset<Row> signed) {
        int bands = p.bands();
        int rows = p.rows();
        UDF1<scala.collection.Seq<Object>, long[]> bandFn = s -> LshBands.keys(toLongs(s), bands, rows);
        return signed.filter(col("signature").isNotNull())
                .select(col("doc_key"), functions.posexplode(functions.udf(bandFn, DataTypes.createArrayType(DataTypes.LongType)).apply(col("signature"))))
                .select(col("pos").as("band"), col("col").as("band_hash"), col("doc_key"));
    }

    /** Verified (src, dst) edges from shared buckets, with history nodes tied to their own keepers. */
    private Dataset<Row> candidateEdges(Dataset<Row> bandRows, Dataset<Row> sigs, Dataset<Row> histDocs) {
        Dataset<Row> allBands = bandRows;
        Dataset<Row> histBands = history("bands");
        if (histBands != null) {
            Dataset<Row> touched = histBands.join(bandRows.select("band", "band_hash").distinct(),
                    scala.collection.JavaConverters.asScalaBuffer(List.of("band", "band_hash")).toSeq(), "leftsemi");
            allBands = allBands.unionByName(touched.select("band", "band_hash", "doc_key"));
        }
        // star edges: every member of a bucket to the bucket's smallest key (O(n) edges per bucket, not a clique)
        Dataset<Row> edges = allBands.withColumn("m", functions.min("doc_key").over(Window.partitionBy("band", "band_hash")))
                .filter(col("doc_key").notEqual(col("m"))).select(col("doc_key").as("src"), col("m").as("dst")).distinct();
        if (p.verify()) {
            UDF2<scala.collection.Seq<Object>, scala.collection.Seq<Object>, Double> jac =
                    (a, b) -> MinHasher.estimatedJaccard(a == null ? null : toLongs(a), b == null ? null : toLongs(b));
            Dataset<Row> s1 = sigs.select(col("doc_key").as("k1"), col("signature").as("sig1"));
            Dataset<Row> s2 = sigs.select(col("doc_key").as("k2"), col("signature").as("sig2"));
            edges = edges.join(s1, edges.col("src").equalTo(s1.col("k1"))).join(s2, col("dst").equalTo(s2.col("k2")))
                    .filter(functions.udf(jac, DataTypes.DoubleType).apply(col("sig1"), col("sig2")).geq(p.threshold()))
                    .select("src", "dst");
        }
        if (histDocs != null) {
            // history nodes hang on to their own keeper, so a new document joins the earliest document of that cluster
            Dataset<Row> nodes = edges.select(col("src").as("n")).union(edges.select(col("dst").as("n"))).distinct();
            Dataset<Row> repEdges = histDocs.join(nodes, histDocs.col("doc_key").equalTo(nodes.col("n")))
                    .filter(col("rep_key").notEqual(col("doc_key"))).select(col("doc_key").as("src"), col("rep_key").as("dst"));
            edges = edges.union(repEdges);
        }
        return edges;
    }

    private Dataset<Row> components(Dataset<Row> edges) {
        int[] rounds = {0};
        Dataset<Row> labels = ConnectedComponents.run(edges, p.maxIterations(), p.localComponentsMaxEdges(), i -> rounds[0] = i);
        console.printf(Locale.ROOT, rounds[0] == 0 ? "dedup: connected components solved on the driver (at most %,d edges)%n"
                : "dedup: connected components converged in %d distributed rounds%n", rounds[0] == 0 ? p.localComponentsMaxEdges() : rounds[0]);
        return labels;
    }

    /**
     * Caches a narrow table and computes it now: the planner then sees its real size and broadcasts it
     * when it is under spark.sql.autoBroadcastJoinThreshold, so the wide document rows it is joined
     * to are not shuffled for the join.
     */
    Dataset<Row> materialised(Dataset<Row> narrow) {
        Dataset<Row> c = cached(narrow);
        c.count();
        return c;
    }

    /** Caches a dataset of this run until {@link #release()}. */
    Dataset<Row> cached(Dataset<Row> d) {
        Dataset<Row> c = d.persist(StorageLevel.MEMORY_AND_DISK());
        cachedByThisRun.add(c);
        return c;
    }

    /** Drops what this run cached (a `run` of many chunks shares one Spark application). */
    void release() {
        cachedByThisRun.forEach(d -> d.unpersist(false));
        cachedByThisRun.clear();
    }

    public static long[] toLongs(scala.collection.Seq<Object> s) {
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Long) s.apply(i);
        }
        return out;
    }

    Map<Integer, String> chunkOfSeq() {
        return chunkOfSeq;
    }

    SparkSession spark() {
        return spark;
    }

    DedupParams params() {
        return p;
    }

    PrintStream console() {
        return console;
    }
}
