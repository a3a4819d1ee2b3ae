package io.lmforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.cli.PipelineMain;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `bin/bench train families [--root DIR] [--rounds N]`: model families on the anytime curve. Trains
 * each variant through the real train and eval stages on the sample's three chunks, in arrival order,
 * with the same token budget per chunk (the demo's training settings), and compares held-out bits per
 * byte after each chunk (the fixed held-out set of chunk 0001), the cumulative bits per byte (the
 * mean over chunks: ALMA's cumulative error, Caccia et al. 2021), training tokens/s and parameters.
 * Variants: GPT-2 at 2 layers (the baseline, measured in the same run) and at 4 layers (ALMA's fixed
 * small and fixed large), NormFormer at 2 layers, Mixture-of-Experts at 2 layers (4 experts, top-2,
 * in the second block), and a model growing from 2 to 4 layers (one block per arriving chunk).
 * Writes the table to DIR/report/families.md.
 */
public final class FamiliesBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FamiliesBench() {
    }

    record Variant(String name, List<String> sets) {
    }

    record Result(Variant v, double[] bpb, long params, double tokensPerS, double seconds) {
        double cumulative() {
            return java.util.Arrays.stream(bpb).average().orElse(Double.NaN);
        }
    }

    static List<Variant> variants() {
        return List.of(
                new Variant("gpt2-2L", List.of()),
                new Variant("gpt2-4L", List.of("train.model.layers=4")),
                new Variant("normformer-2L", List.of("train.model.normformer=true")),
                new Variant("moe-2L-4x-top2", List.of("train.model.moe.experts=4")),
                new Variant("grow-2L-to-4L", List.of("train.grow.layers-per-chunk=1", "train.grow.max-layers=4")));
    }

    public static void main(String[] args) throws Exception {
        compare(args, "families", variants());
    }

    /**
     * `bin/bench train NAME [--root DIR] [--rounds N]`: every variant through train and eval on the sample's three chunks,
     * the table printed and written to DIR/report/NAME.md (DIR defaults to target/bench-NAME).
     */
    static void compare(String[] args, String name, List<Variant> variants) throws Exception {
        String root = "target/bench-" + name;
        int rounds = 12;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--root" -> root = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: bin/bench train " + name + " [--root DIR] [--rounds PER-CHUNK]");
            }
        }
        Path rootPath = Path.of(root).toAbsolutePath();
        ScalingBench.prepareData(rootPath);
        List<String> chunks = List.of("0001", "0002", "0003");
        List<Result> results = new ArrayList<>();
        for (Variant v : variants) {
            results.add(run(rootPath, v, chunks, rounds));
        }
        String table = table(results, chunks);
        System.out.println(table);
        Files.createDirectories(rootPath.resolve("report"));
        Files.writeString(rootPath.resolve("report/" + name + ".md"), table);
        System.out.println("written: " + rootPath.resolve("report/" + name + ".md"));
    }

    /** Trains and evaluates variant {@code v} on the chunks in order through the real stages (the demo's settings, then the variant's). */
    static Result run(Path root, Variant v, List<String> chunks, int rounds) throws Exception {
        double[] bpb = new double[chunks.size()];
        long t0 = System.nanoTime();
        for (int i = 0; i < chunks.size(); i++) {
            List<String> common = new ArrayList<>(List.of("--root", root.toString(), "--chunk", chunks.get(i)));
            for (String s : io.lmforge.core.config.PipelineConfig.load(null, List.of()).getStringList("demo.set")) {
                common.addAll(List.of("--set", s)); // the demo's model and training settings, as prepareData's mix was made with
            }
            common.addAll(List.of("--set", "train.run=" + v.name(),
                    "--set", "train.max-rounds-per-chunk=" + rounds, "--set", "eval.tasks=[]", "--set", "pipeline.progress-interval-s=60"));
            for (String s : v.sets()) {
                common.addAll(List.of("--set", s));
            }
            for (String stage : List.of("train", "eval")) {
                List<String> a = new ArrayList<>(List.of(stage));
                a.addAll(common);
                int rc = PipelineMain.run(a.toArray(String[]::new), System.out, System.err, false);
                if (rc != 0) {
                    throw new IllegalStateException(stage + " of " + v.name() + " chunk " + chunks.get(i) + " failed with status " + rc);
                }
            }
            bpb[i] = overallBitsPerByte(root.resolve("eval/" + v.name() + "/chunk=" + chunks.get(i) + "/results.json"));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        SparkSession spark = SparkSession.active();
        Row m = spark.read().parquet(root.resolve("models/" + v.name() + "/metrics").toString()).selectExpr("avg(tokens_per_s)").first();
        JsonNode state = JSON.readTree(root.resolve("models/" + v.name() + "/chunk=" + chunks.get(chunks.size() - 1) + "/training_state.json").toFile());
        return new Result(v, bpb, state.path("parameters").asLong(), m.getDouble(0), seconds);
    }

    /** Σ bits / Σ bytes over the languages of results.json's bits_per_byte. */
    static double overallBitsPerByte(Path results) throws Exception {
        double bits = 0;
        double bytes = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(results.toFile()).path("bits_per_byte").fields(); it.hasNext(); ) {
            JsonNode l = it.next().getValue();
            bits += l.path("bits_per_byte").asDouble() * l.path("bytes").asDouble();
            bytes += l.path("bytes").asDouble();
        }
        return bits / bytes;
    }

    static String table(List<Result> results, List<String> chunks) {
        Result base = results.get(0);
        StringBuilder sb = new StringBuilder("| variant | parameters (final) |");
        chunks.forEach(c -> sb.append(" bpb after ").append(c).append(" |"));
        sb.append(" cumulative bpb | vs ").append(base.v().name()).append(" | train tokens/s | wall s |\n|---|---:|");
        chunks.forEach(c -> sb.append("---:|"));
        sb.append("---:|---:|---:|---:|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %,d |", r.v().name(), r.params()));
            for (double b : r.bpb()) {
                sb.append(String.format(Locale.ROOT, " %.3f |", b));
            }
            sb.append(String.format(Locale.ROOT, " %.3f | %.3f | %,.0f | %.0f |%n", r.cumulative(), r.cumulative() / base.cumulative(),
                    r.tokensPerS(), r.seconds()));
        }
        return sb.toString();
    }
}
