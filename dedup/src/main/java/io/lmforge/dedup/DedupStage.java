package io.lmforge.dedup;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import io.lmforge.core.ids.StableId;
import io.lmforge.core.stage.Stage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageResult;
import io.lmforge.dedup.index.DedupIndex;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `dedup --chunk ID`: docs/chunk=ID -> dedup/docs/chunk=ID/lang=L/ (kept, with dup_cluster_size),
 * dedup/duplicates/chunk=ID/ (removed: duplicate_of, kind, similarity) and this chunk's part of
 * the persistent index dedup/index/chunk=ID/. The chunk is deduplicated within itself and against
 * the index of every earlier chunk; earlier outputs are never rewritten.
 */
public final class DedupStage implements Stage {
    public static final String NAME = "dedup";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "exact, line-level and MinHash-LSH fuzzy dedup of a chunk, within it and against all earlier chunks";
    }

    @Override
    public String help() {
        return """
                reads   docs/chunk=ID (committed by ingest), dedup/index/chunk=*/ of earlier chunks
                writes  dedup/docs/chunk=ID/lang=L/   kept documents + dup_cluster_size, n_lines_removed
                        dedup/duplicates/chunk=ID/    doc_id, lang, kind (exact|fuzzy|line), duplicate_of, duplicate_of_chunk, similarity
                        dedup/index/chunk=ID/         exact hashes, band keys, signatures, line counts (+ dedup/index/_PARAMS.json)
                config  dedup.exact.*, dedup.line.*, dedup.fuzzy.* (bands x rows, shingle, n-gram size, seed, verify, threshold)
                A run whose dedup.fuzzy parameters differ from the index's _PARAMS.json is refused.""";
    }

    @Override
    public boolean needsChunk() {
        return true;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        String chunk = ctx.requireChunk(NAME);
        SparkSession spark = ctx.spark();
        DatasetLayout layout = ctx.layout();
        Configuration hconf = spark.sparkContext().hadoopConfiguration();
        FileSystem fs = layout.fs(hconf);
        DedupParams params = DedupParams.from(ctx.config());
        long t0 = System.nanoTime();

        Manifest input = Datasets.requireCommitted(spark, layout.docs(chunk), "docs chunk " + chunk + " (run ingest --chunk " + chunk + " first)");
        DedupIndex index = new DedupIndex(fs, layout);
        index.checkOrWriteParams(params.indexParams());
        List<DedupIndex.Entry> entries = index.entries();
        int seq = index.seqFor(chunk, entries);
        Map<Integer, String> chunkOfSeq = new LinkedHashMap<>();
        StringBuilder historyFp = new StringBuilder();
        for (DedupIndex.Entry e : entries) {
            if (e.seq() < seq) {
                chunkOfSeq.put(e.seq(), e.chunk());
                historyFp.append(e.chunk()).append('=').append(StageCommit.readManifest(fs, index.chunkDir(e.chunk())).fingerprint()).append(';');
            }
        }
        chunkOfSeq.put(seq, chunk);
        String configHash = ctx.config().hashOf("dedup");
        String fingerprint = StableId.hash(NAME + "|" + chunk + "|" + seq + "|" + BuildInfo.version() + "|" + configHash + "|"
                + input.fingerprint() + "|" + historyFp);
        Path docsOut = layout.chunkDir("dedup/docs", chunk);
        Manifest previous = StageCommit.readManifest(fs, docsOut);
        if (!ctx.force() && previous != null && fingerprint.equals(previous.fingerprint())) {
            return StageResult.skipped(NAME, chunk, "up to date: same docs, index history, config and code as " + docsOut + "; --force recomputes");
        }
        ctx.console().printf(Locale.ROOT, "dedup %s: arrival #%d, against %d earlier chunk(s)%s%n", chunk, seq, chunkOfSeq.size() - 1,
                chunkOfSeq.size() > 1 ? " " + new ArrayList<>(chunkOfSeq.values()).subList(0, chunkOfSeq.size() - 1) : "");

        StageCommit commit = StageCommit.begin(layout, hconf, NAME, chunk);
        Path stagedDocs = commit.stage(docsOut);
        Path stagedDups = commit.stage(layout.chunkDir("dedup/duplicates", chunk));
        Path stagedIndex = commit.stage(index.chunkDir(chunk));
        try (io.lmforge.core.progress.ProgressReporter ignored = io.lmforge.core.progress.ProgressReporter.start(ctx.console(),
                "dedup " + chunk, ctx.config().getInt("pipeline.progress-interval-s"), spark.sparkContext(),
                () -> String.format(Locale.ROOT, "%,d docs in chunk", input.count("kept")))) {
            Dataset<Row> docs = Datasets.readChunk(spark, layout, "docs", chunk);
            DedupRun run = new DedupRun(spark, params, index, entries, seq, chunkOfSeq, ctx.console());
            DedupOutcome out = run.execute(docs);
            DedupCounts counts = out.write(stagedDocs, stagedDups, stagedIndex);
            Map<String, Double> timings = new LinkedHashMap<>();
            timings.put("total", (System.nanoTime() - t0) / 1e9);
            Map<String, Object> countMap = counts.toMap();
            countMap.put("seq", seq);
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("path", layout.docs(chunk).toString());
            in.put("fingerprint", input.fingerprint());
            in.put("history", new ArrayList<>(chunkOfSeq.values()).subList(0, chunkOfSeq.size() - 1));
            Manifest m = new Manifest(NAME, chunk, BuildInfo.version(), configHash, fingerprint, List.of(in),
                    List.of(docsOut.toString(), layout.chunkDir("dedup/duplicates", chunk).toString(), index.chunkDir(chunk).toString()),
                    countMap, timings, Instant.now().minusMillis((long) (timings.get("total") * 1000)).toString(), Instant.now().toString());
            commit.publish(m);
            counts.print(ctx.console(), chunk, timings.get("total"));
            return StageResult.committed(NAME, chunk, String.format(Locale.ROOT, "%,d docs: %,d kept, %,d exact, %,d fuzzy, %,d line -> %s",
                    counts.docsIn, counts.kept, counts.exact, counts.fuzzy, counts.line, docsOut));
        } catch (Exception | Error e) {
            commit.abort();
            throw e;
        }
    }
}
