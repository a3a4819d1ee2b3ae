package io.lmforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.lmforge.core.cli.PipelineMain;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * `bin/bench train optimizers [--root DIR]`: schedule-free AdamW against AdamW with a cosine restarted
 * every chunk and with a constant learning rate, on the demo's three sample chunks with the demo's
 * model, data and token budget (demo.set; the same tokens for all): held-out bits per byte (the fixed
 * chunk-0001 set, mean over languages) of the untrained model and after each chunk, and ALMA's
 * cumulative error (the sum over chunks), as the report computes them.
 */
public final class OptimizerBench {
    private OptimizerBench() {
    }

    public static void main(String[] args) throws Exception {
        String root = args.length == 2 && args[0].equals("--root") ? args[1] : "target/bench-optimizers";
        Path rootPath = Path.of(root).toAbsolutePath();
        File home = new File(System.getProperty("lmforge.home", "."));
        List<String> demoSet = ConfigFactory.parseFile(new File(home, "conf/reference.conf")).getStringList("demo.set");
        Map<String, List<String>> runs = new LinkedHashMap<>();
        runs.put("constant", List.of("train.run=constant", "train.optimizer.schedule=constant"));
        runs.put("cosine-per-chunk", List.of("train.run=cosine-per-chunk", "train.optimizer.schedule=cosine-per-chunk"));
        runs.put("schedule-free", List.of("train.run=schedule-free", "train.optimizer.kind=schedule-free-adamw"));
        Map<String, double[]> curves = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> r : runs.entrySet()) {
            List<String> set = new ArrayList<>(demoSet);
            set.addAll(r.getValue());
            long start = System.nanoTime();
            int rc = PipelineMain.run(new String[]{"demo", "--root", rootPath.toString(), "--set", "demo.finally=[]",
                    "--set", "demo.set=" + hocon(set), "--set", "pipeline.progress-interval-s=60"}, System.out, System.err, false);
            if (rc != 0) {
                throw new IllegalStateException(r.getKey() + ": demo stages failed with status " + rc);
            }
            curves.put(r.getKey(), bpb(rootPath, r.getValue().get(0).substring("train.run=".length())));
            System.out.printf(Locale.ROOT, "%s: %.0f s%n", r.getKey(), (System.nanoTime() - start) / 1e9);
        }
        System.out.printf(Locale.ROOT, "%n| optimiser (demo model and data, same tokens) | untrained | chunk 0001 | chunk 0002 | chunk 0003 | cumulative error (ALMA) |%n");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            double[] v = e.getValue();
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |%n", e.getKey(), v[0], v[1], v[2], v[3], v[1] + v[2] + v[3]);
        }
    }

    /** Mean held-out bits per byte over languages for the untrained model and chunks 0001..0003 of a run. */
    static double[] bpb(Path root, String run) throws Exception {
        double[] out = new double[4];
        String[] chunks = {"initial", "0001", "0002", "0003"};
        for (int i = 0; i < chunks.length; i++) {
            JsonNode r = new ObjectMapper().readTree(root.resolve("eval/" + run + "/chunk=" + chunks[i] + "/results.json").toFile());
            double sum = 0;
            int n = 0;
            for (Iterator<JsonNode> it = r.path("bits_per_byte").elements(); it.hasNext(); n++) {
                sum += it.next().path("bits_per_byte").asDouble();
            }
            out[i] = sum / n;
        }
        return out;
    }

    private static String hocon(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (String s : items) {
            sb.append(sb.length() > 1 ? "," : "").append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append(']').toString();
    }
}
