package io.lmforge.tokenize.stage;

import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.LangPartitionedWrite;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Computed;
import io.lmforge.core.stage.DatasetStage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StagePlan;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.stage.StageSpec;
import io.lmforge.tokenize.encode.BpeModel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

/** `tokenize --chunk ID`: dedup/docs/chunk=ID -> tokens/chunk=ID/lang=L/ with the frozen tokenizer. */
public final class TokenizeStage extends DatasetStage<TokenizeStage.Plan> {
    public static final String NAME = "tokenize";
    private static final StageSpec SPEC = StageSpec.of(NAME, "encode a chunk's deduplicated documents to token ids (Parquet) with the frozen tokenizer")
            .perChunk()
            .reads("dedup/docs/chunk=ID, tokenizer/<tokenizer.version> (default: tokenizer/CURRENT)")
            .writes("tokens/chunk=ID/lang=L/   doc_id, n_bytes, n_tokens, tokens array<int>")
            .config("tokenize", "tokenizer.version")
            .notes("A document's literal \"<|endoftext|>\" is encoded as text, never as the separator id.")
            .build();

    record Plan(String version, long docsIn) {
    }

    @Override
    public org.apache.hadoop.fs.Path committedOutput(StageContext ctx, String chunk) {
        return ctx.layout().tokens(chunk);
    }

    /** A chunk that kept no document before any tokenizer existed has nothing to tokenize. */
    @Override
    public String passOver(StageContext ctx, FileSystem fs) throws java.io.IOException {
        return passOverChunkBeforeTokenizer(ctx, fs);
    }

    @Override
    public StageSpec spec() {
        return SPEC;
    }

    @Override
    public StagePlan<Plan> plan(StageContext ctx) throws Exception {
        String chunk = ctx.chunk();
        FileSystem fs = ctx.layout().fs(ctx.spark().sparkContext().hadoopConfiguration());
        StagePlan<Plan> plan = new StagePlan<>(fs);
        Manifest input = plan.input("dedup/docs", ctx.layout().dedupDocs(chunk), "run dedup --chunk " + chunk + " first");
        TokenizerStore store = new TokenizerStore(fs, ctx.layout());
        String version = store.resolve(ctx.config().getString("tokenizer.version"));
        plan.input("tokenizer", store.dir(version), "run tokenizer-train first");
        return plan.payload(new Plan(version, input.count("kept"))).output("tokens", ctx.layout().tokens(chunk));
    }

    @Override
    public Computed compute(StageRun<Plan> run) throws Exception {
        String chunk = run.chunk();
        String version = run.payload().version();
        long t0 = System.nanoTime();
        BpeModel model = new BpeModel(new TokenizerStore(run.fs(), run.layout()).load(version));
        Path staged = run.staged("tokens");
        run.phase("encode");
        try (ProgressReporter ignored = run.progress(() -> String.format(Locale.ROOT, "%,d docs with tokenizer %s", run.payload().docsIn(), version))) {
            Dataset<Row> docs = Datasets.readChunk(run.spark(), run.layout().dedupDocs(chunk), chunk, io.lmforge.core.dataset.DatasetSchemas.DEDUP_DOCS);
            long docsIn = docs.count();
            LangPartitionedWrite.write(DatasetSchemas.conform(model.transform(docs), DatasetSchemas.TOKENS),
                    run.config().getInt("tokenize.output.files-per-lang"), "zstd", staged.toString());
            // counts from what was written, so the manifest describes the files
            Map<String, Object> byLang = new TreeMap<>();
            long docsOut = 0;
            long tokens = 0;
            long bytes = 0;
            List<Row> written = !Datasets.hasDataFiles(run.spark(), staged) ? List.of() // nothing to write: an empty chunk
                    : run.spark().read().parquet(staged.toString()).groupBy("lang").agg(count("*"), sum("n_bytes"), sum("n_tokens")).collectAsList();
            for (Row r : written) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("docs", r.getLong(1));
                l.put("bytes", r.getLong(2));
                l.put("tokens", r.getLong(3));
                byLang.put(r.getString(0), l);
                docsOut += r.getLong(1);
                bytes += r.getLong(2);
                tokens += r.getLong(3);
            }
            if (docsOut != docsIn) {
                throw new IllegalStateException("tokenize " + chunk + ": " + docsIn + " docs in but " + docsOut + " written");
            }
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("docs_in", docsIn);
            counts.put("docs", docsOut);
            counts.put("bytes", bytes);
            counts.put("tokens", tokens);
            counts.put("bytes_per_token", tokens == 0 ? 0.0 : TokenizerTrainStage.round3((double) bytes / tokens));
            counts.put("by_lang", byLang);
            double seconds = (System.nanoTime() - t0) / 1e9;
            run.console().printf(Locale.ROOT, "tokenize %s: %,d docs, %,d bytes -> %,d tokens (%.2f bytes/token, %.1f s, %.2f MB/s)%n",
                    chunk, docsOut, bytes, tokens, tokens == 0 ? 0.0 : (double) bytes / tokens, seconds, bytes / 1e6 / seconds);
            return new Computed(counts, new Lineage(null, version, null),
                    String.format(Locale.ROOT, "%,d docs, %,d tokens with %s -> %s", docsOut, tokens, version, run.layout().tokens(chunk)));
        }
    }
}
