package io.lmforge.tokenize.stage;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.LangPartitionedWrite;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
import io.lmforge.core.ids.StableId;
import io.lmforge.core.progress.ProgressReporter;
import io.lmforge.core.stage.Stage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageResult;
import io.lmforge.tokenize.encode.BpeModel;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.sum;

/** `tokenize --chunk ID`: dedup/docs/chunk=ID -> tokens/chunk=ID/lang=L/ with the frozen tokenizer. */
public final class TokenizeStage implements Stage {
    public static final String NAME = "tokenize";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "encode a chunk's deduplicated documents to token ids (Parquet) with the frozen tokenizer";
    }

    @Override
    public String help() {
        return """
                reads   dedup/docs/chunk=ID, tokenizer/<tokenizer.version> (default: tokenizer/CURRENT)
                writes  tokens/chunk=ID/lang=L/   doc_id, n_bytes, n_tokens, tokens array<int>
                config  tokenizer.version, tokenize.output.files-per-lang
                A document's literal "<|endoftext|>" is encoded as text, never as the separator id.""";
    }

    @Override
    public boolean needsChunk() {
        return true;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        String chunk = ctx.requireChunk(NAME);
        DatasetLayout layout = ctx.layout();
        FileSystem fs = layout.fs(ctx.spark().sparkContext().hadoopConfiguration());
        TokenizerStore store = new TokenizerStore(fs, layout);
        Path inDir = layout.chunkDir("dedup/docs", chunk);
        Manifest input = Datasets.requireCommitted(ctx.spark(), inDir, "dedup/docs chunk " + chunk + " (run dedup --chunk " + chunk + " first)");
        String version = store.resolve(ctx.config().getString("tokenizer.version"));
        String configHash = ctx.config().hashOf("tokenize");
        String fingerprint = StableId.hash(NAME + "|" + chunk + "|" + BuildInfo.version() + "|" + configHash + "|" + input.fingerprint() + "|" + version);
        Path out = layout.chunkDir("tokens", chunk);
        Manifest previous = StageCommit.readManifest(fs, out);
        if (!ctx.force() && previous != null && fingerprint.equals(previous.fingerprint())) {
            return StageResult.skipped(NAME, chunk, "up to date: same docs and tokenizer " + version + " as " + out + "; --force recomputes");
        }
        long t0 = System.nanoTime();
        BpeModel model = new BpeModel(store.load(version));
        StageCommit commit = StageCommit.begin(layout, ctx.spark().sparkContext().hadoopConfiguration(), NAME, chunk);
        Path staged = commit.stage(out);
        try (ProgressReporter ignored = ProgressReporter.start(ctx.console(), NAME + " " + chunk, ctx.config().getInt("pipeline.progress-interval-s"),
                ctx.spark().sparkContext(), () -> String.format(Locale.ROOT, "%,d docs with tokenizer %s", input.count("kept"), version))) {
            Dataset<Row> docs = Datasets.readChunk(ctx.spark(), layout, "dedup/docs", chunk);
            long docsIn = docs.count();
            LangPartitionedWrite.write(model.transform(docs), ctx.config().getInt("tokenize.output.files-per-lang"), "zstd", staged.toString());
            // counts from what was written, so the manifest describes the files
            Map<String, Object> byLang = new TreeMap<>();
            long docsOut = 0;
            long tokens = 0;
            long bytes = 0;
            for (Row r : ctx.spark().read().parquet(staged.toString()).groupBy("lang")
                    .agg(count("*"), sum("n_bytes"), sum("n_tokens")).collectAsList()) {
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
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("path", inDir.toString());
            in.put("fingerprint", input.fingerprint());
            Map<String, Object> tokIn = new LinkedHashMap<>();
            tokIn.put("path", store.dir(version).toString());
            tokIn.put("tokenizer_version", version);
            Manifest m = new Manifest(NAME, chunk, BuildInfo.version(), configHash, fingerprint, List.of(in, tokIn), List.of(out.toString()),
                    counts, Map.of("total", TokenizerTrainStage.round3(seconds)), Instant.now().minusMillis((long) (seconds * 1000)).toString(),
                    Instant.now().toString());
            commit.publish(m);
            ctx.console().printf(Locale.ROOT, "tokenize %s: %,d docs, %,d bytes -> %,d tokens (%.2f bytes/token, %.1f s, %.2f MB/s)%n",
                    chunk, docsOut, bytes, tokens, tokens == 0 ? 0.0 : (double) bytes / tokens, seconds, bytes / 1e6 / seconds);
            return StageResult.committed(NAME, chunk, String.format(Locale.ROOT, "%,d docs, %,d tokens with %s -> %s", docsOut, tokens, version, out));
        } catch (Exception | Error e) {
            commit.abort();
            throw e;
        }
    }

    /** The tokenizer version a committed tokens chunk was encoded with. */
    public static String tokenizerVersionOf(Manifest tokensManifest) {
        for (Map<String, Object> in : tokensManifest.inputs()) {
            Object v = in.get("tokenizer_version");
            if (v != null) {
                return v.toString();
            }
        }
        return null;
    }
}
