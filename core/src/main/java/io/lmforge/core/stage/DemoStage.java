package io.lmforge.core.stage;

import com.typesafe.config.Config;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.config.PipelineConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * `bin/pipeline demo`: runs the configured stages over every sample chunk in arrival order,
 * exactly as a user would run them one by one (each stage skips chunks that are up to date).
 */
public final class DemoStage implements Stage {
    @Override
    public boolean readsRoot() {
        return false; // starts with ingest: the root may not exist yet
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "run every stage over the bundled sample chunks in arrival order (local mode)";
    }

    @Override
    public String help() {
        return """
                Reads demo.chunks (id + input paths; relative paths resolve against the lmforge
                checkout) and runs demo.stages for each chunk, in order (demo.first-chunk-only
                stages, e.g. tokenizer-train, for the first chunk only), then demo.finally once
                (the report), with demo.set applied on top of the configuration (demo-sized
                training and evaluation). With demo.evaluate-initial, the untrained model is evaluated
                too (eval --chunk initial) after the first chunk, the anytime curve's point at 0 tokens.
                The dataset root is --root / pipeline.root, or demo.root (default target/demo).
                Re-running skips chunks whose outputs are up to date; --force recomputes them.""";
    }

    @Override
    public boolean needsChunk() {
        return false;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        List<String> stageNames = ctx.config().getStringList("demo.stages");
        List<String> firstOnly = ctx.config().getStringList("demo.first-chunk-only");
        List<String> finallyNames = ctx.config().getStringList("demo.finally");
        StageSequence.checkNames(ctx.registry(), stageNames, "demo.stages");
        StageSequence.checkNames(ctx.registry(), finallyNames, "demo.finally");
        List<? extends Config> chunks = ctx.config().raw().getConfigList("demo.chunks");
        StageSequence sequence = new StageSequence(ctx, "demo");
        long start = System.nanoTime();
        for (Config chunk : chunks) {
            String id = chunk.getString("id");
            List<String> paths = new ArrayList<>();
            for (String p : chunk.getStringList("paths")) {
                paths.add(io.lmforge.core.config.HomePaths.resolve(p));
            }
            PipelineConfig chunkConfig = ctx.config().withOverrides(ctx.config().getStringList("demo.set")).with("ingest.input.paths", paths);
            StageContext chunkCtx = ctx.withChunk(id).withConfig(chunkConfig);
            for (String name : stageNames) {
                if (!firstOnly.contains(name) || chunk == chunks.get(0)) {
                    sequence.run(name, chunkCtx);
                }
            }
            if (chunk == chunks.get(0) && ctx.config().getBoolean("demo.evaluate-initial") && stageNames.contains("eval")) {
                // the untrained model's eval: the anytime curve's point at 0 tokens
                sequence.run("eval", chunkCtx.withChunk(DatasetLayout.INITIAL));
            }
        }
        StageContext lastCtx = ctx.withConfig(ctx.config().withOverrides(ctx.config().getStringList("demo.set")));
        for (String name : finallyNames) {
            sequence.run(name, lastCtx);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return StageResult.committed("demo", null, String.format(java.util.Locale.ROOT,
                "%d stage runs over %d chunks in %.1f s; outputs under %s", sequence.runs(), chunks.size(), seconds, ctx.layout()));
    }
}
