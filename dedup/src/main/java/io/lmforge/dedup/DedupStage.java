package io.lmforge.dedup;

import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.dedup.index.DedupIndex;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `dedup --chunk ID`: docs/chunk=ID -> dedup/docs/chunk=ID/lang=L/ (kept, with dup_cluster_size),
 * dedup/duplicates/chunk=ID/ (removed: duplicate_of, kind, similarity) and this chunk's part of
 * the persistent index dedup/index/chunk=ID/. The chunk is deduplicated within itself and against
 * the index of every earlier chunk; earlier outputs are never rewritten. Runs of different chunks
 * take turns on the index (a shared lock), so each sees every chunk that arrived before it.
 */
public final class DedupStage extends DatasetStage<DedupStage.Plan> {
    public static final String NAME = "dedup";
    private static final StageSpec SPEC = StageSpec.of(NAME,
                    "exact, line-level and MinHash-LSH fuzzy dedup of a chunk, within it and against all earlier chunks")
            .perChunk()
            .reads("docs/chunk=ID (committed by ingest), dedup/index/chunk=*/ of earlier chunks")
            .writes("dedup/docs/chunk=ID/lang=L/   kept documents + dup_cluster_size, n_lines_removed",
                    "dedup/duplicates/chunk=ID/    doc_id, lang, kind (exact|fuzzy|line), duplicate_of, duplicate_of_chunk, similarity",
                    "dedup/index/chunk=ID/         exact hashes, band keys, signatures, line counts (+ dedup/index/_PARAMS.json)")
            .config("dedup")
            .notes("""
                    The chunk's arrival number (its order for every later stage) is assigned the first time it is deduplicated.
                    A run whose dedup.fuzzy parameters differ from the index's _PARAMS.json is refused.""")
            .build();

    record Plan(DedupParams params, int seq, List<DedupIndex.Entry> history, Map<Integer, String> chunkOfSeq, long docsIn) {
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().dedupDocs(chunk);
    }

    /** Chunk N is deduplicated against the index of every chunk that arrived before it. */
    @Override
    public boolean arrivalOrdered() {
        return true;
    }

    @Override
    public List<String> sharedLocks(StageContext ctx) {
        return List.of("dedup-index");
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        DedupParams params = DedupParams.from(ctx.config());
        StagePlan<Plan> plan = new StagePlan<>(fs);
        Manifest input = plan.input("docs", layout.docs(chunk), "run ingest --chunk " + chunk + " first");
        DedupIndex index = new DedupIndex(fs, layout);
        index.checkParams(params.indexParams());
        int seq = (int) new ChunkRegistry(fs, layout).arrivalOrNext(chunk);
        Map<Integer, String> chunkOfSeq = new LinkedHashMap<>();
        List<DedupIndex.Entry> history = new ArrayList<>();
        for (DedupIndex.Entry e : index.entries()) {
            if (e.seq() < seq) {
                history.add(e);
                chunkOfSeq.put(e.seq(), e.chunk());
                plan.input("index " + e.chunk(), index.chunkDir(e.chunk()), "dedup --chunk " + e.chunk());
            }
        }
        chunkOfSeq.put(seq, chunk);
        plan.fact("seq", seq);
        return plan.payload(new Plan(params, seq, history, chunkOfSeq, input.count("kept")))
                .output("docs", layout.dedupDocs(chunk))
                .output("duplicates", layout.dedupDuplicates(chunk))
                .output("index", layout.dedupIndex(chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        String chunk = run.chunk();
        Plan p = run.payload();
        FileSystem fs = run.fs();
        long seq = new ChunkRegistry(fs, run.layout()).register(chunk);
        if (seq != p.seq()) { // cannot happen while the index lock is held; a different number would dedup against the wrong history
            throw new IllegalStateException("dedup " + chunk + ": planned arrival #" + p.seq() + " but the registry gave #" + seq);
        }
        DedupIndex index = new DedupIndex(fs, run.layout());
        index.fixParams(p.params().indexParams());
        List<String> earlier = new ArrayList<>(p.chunkOfSeq().values()).subList(0, p.chunkOfSeq().size() - 1);
        run.console().printf(Locale.ROOT, "dedup %s: arrival #%d, against %d earlier chunk(s)%s%n", chunk, seq, earlier.size(),
                earlier.isEmpty() ? "" : " " + earlier);
        long t0 = System.nanoTime();
        run.phase("dedup");
        try (var ignored = run.progress(() -> String.format(Locale.ROOT, "%,d docs in chunk", p.docsIn()))) {
            Dataset<Row> docs = Datasets.readChunk(run.spark(), run.layout().docs(chunk), chunk, io.lmforge.core.dataset.DatasetSchemas.DOCS);
            DedupRun dedup = new DedupRun(run.spark(), p.params(), index, p.history(), p.seq(), p.chunkOfSeq(), run.console());
            DedupOutcome out = dedup.execute(docs);
            DedupCounts counts;
            try {
                counts = out.write(run.staged("docs"), run.staged("duplicates"), run.staged("index"));
            } finally {
                out.release();
            }
            counts.print(run.console(), chunk, (System.nanoTime() - t0) / 1e9);
            Map<String, Object> countMap = counts.toMap();
            countMap.put("history", earlier);
            return new Computed(countMap, Lineage.ofSeq(seq), String.format(Locale.ROOT, "%,d docs: %,d kept, %,d exact, %,d fuzzy, %,d line -> %s",
                    counts.docsIn, counts.kept, counts.exact, counts.fuzzy, counts.line, run.layout().dedupDocs(chunk)));
        }
    }
}
