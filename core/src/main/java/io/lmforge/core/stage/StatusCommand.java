package io.lmforge.core.stage;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.dataset.ChunkRegistry;
import io.lmforge.core.dataset.DatasetLayout;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `bin/pipeline status`: the chunk × stage matrix of a root (done, deferred, running, failed, missing),
 * chunks in arrival order, then one line per cell that is not plainly done now: when, by which code,
 * counts, and what to do. Reads manifests, locks and staging only: no Spark, nothing written.
 */
public final class StatusCommand implements Stage {
    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "show which stages are done for which chunk (code version, when, counts); reads files only";
    }

    @Override
    public String help() {
        return """
                Prints the chunk x stage matrix of --root for the run train.run (train and eval columns):
                done, deferred (train.schedule = wait-k gathered too few chunks), running (a live run holds
                the lock), failed (a run stopped before its commit or died holding its lock; rerun the
                stage), - (never run). Chunks in arrival order (dedup numbers them), then chunks ingested
                and not yet numbered. Below it one line per chunk and stage: when it finished, the code
                version that made it (flagged when it is not this code's), and its main counts.
                No Spark session; nothing is written.""";
    }

    @Override
    public boolean needsChunk() {
        return false;
    }

    @Override
    public boolean needsSpark() {
        return false;
    }

    @Override
    public StageResult run(StageContext ctx) throws Exception {
        FileSystem fs = ctx.fs();
        List<DatasetStage<?>> stages = chunkStages(ctx);
        List<String> chunks = chunks(fs, ctx.layout());
        Map<String, Map<String, ChunkStatus>> matrix = new LinkedHashMap<>();
        for (String chunk : chunks) {
            Map<String, ChunkStatus> row = new LinkedHashMap<>();
            for (DatasetStage<?> s : stages) {
                row.put(s.name(), ChunkStatus.of(s, ctx, fs, chunk));
            }
            matrix.put(chunk, row);
        }
        print(ctx.console(), ctx.config().getString("train.run"), stages, matrix);
        long done = matrix.values().stream().flatMap(r -> r.values().stream()).filter(c -> c.state() == ChunkStatus.State.DONE).count();
        return StageResult.reported(name(), String.format(Locale.ROOT, "%d chunks, %d stage runs done", chunks.size(), done));
    }

    /** Per-chunk dataset stages in pipeline order (run.stages first, then the rest by name). */
    static List<DatasetStage<?>> chunkStages(StageContext ctx) {
        List<String> order = new ArrayList<>(ctx.config().getStringList("run.stages"));
        ctx.registry().all().forEach(s -> {
            if (!order.contains(s.name())) {
                order.add(s.name());
            }
        });
        List<DatasetStage<?>> out = new ArrayList<>();
        for (String name : order) {
            // a stage with per-chunk commits names a directory for any chunk id; "probe" is never looked at
            if (ctx.registry().get(name) instanceof DatasetStage<?> d && d.needsChunk() && d.committedOutput(ctx.withChunk("probe"), "probe") != null) {
                out.add(d);
            }
        }
        return out;
    }

    /** Numbered chunks in arrival order, then ingested ones not numbered yet, by id. */
    static List<String> chunks(FileSystem fs, DatasetLayout layout) throws IOException {
        ChunkRegistry registry = new ChunkRegistry(fs, layout);
        List<String> out = new ArrayList<>(registry.inArrivalOrder());
        out.addAll(registry.unnumberedIngested(false));
        return out;
    }

    private static void print(PrintStream out, String run, List<DatasetStage<?>> stages, Map<String, Map<String, ChunkStatus>> matrix) {
        int w = Math.max(5, matrix.keySet().stream().mapToInt(String::length).max().orElse(5));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s", "chunk"));
        int[] widths = stages.stream().mapToInt(s -> Math.max(11, s.name().length())).toArray();
        for (int i = 0; i < stages.size(); i++) {
            head.append("  ").append(String.format(Locale.ROOT, "%-" + widths[i] + "s", stages.get(i).name()));
        }
        out.println("run " + run + " | code " + BuildInfo.codeVersion());
        out.println(head.toString().stripTrailing());
        matrix.forEach((chunk, row) -> {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s", chunk));
            int i = 0;
            for (ChunkStatus c : row.values()) {
                String cell = c.state().label + (c.note().equals(ChunkStatus.OTHER_CODE) ? "*" : "");
                line.append("  ").append(String.format(Locale.ROOT, "%-" + widths[i++] + "s", cell));
            }
            out.println(line.toString().stripTrailing());
        });
        if (matrix.isEmpty()) {
            out.println("(no chunks: nothing ingested under this root yet)");
            return;
        }
        out.println("(* made by other code than this; rerunning the stage recomputes it)");
        out.println();
        matrix.forEach((chunk, row) -> row.forEach((stage, c) -> {
            if (c.state() != ChunkStatus.State.MISSING) {
                String when = c.manifest() == null || c.manifest().finishedAt() == null ? "" : " " + c.manifest().finishedAt();
                String code = c.manifest() == null ? "" : " | code " + c.manifest().codeVersion();
                String counts = c.counts().isEmpty() ? "" : " | " + c.counts();
                String note = c.note().isEmpty() || c.note().equals(ChunkStatus.OTHER_CODE) ? "" : " | " + c.note();
                out.println(stage + " " + chunk + ": " + c.state().label + when + code + counts + note);
            }
        }));
    }
}
