package io.lmforge.eval.report;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.lmforge.eval.report.ReportStage.fmt;

/** The report's "Training loss" section (and a Mixture-of-Experts run's expert utilisation), from the run's metrics. */
final class TrainingLossSection {
    private TrainingLossSection() {
    }

    /** The rounds' training loss over tokens seen, each chunk's start marked, with the held-out loss of every evaluated chunk. */
    static void write(ReportDocument doc, Dataset<Row> all, double[][] heldout, Path dir) throws IOException {
        List<Row> rows = all.orderBy("tokens_seen").select("tokens_seen", "loss", "chunk").collectAsList();
        if (rows.isEmpty()) {
            return;
        }
        double[][] curve = new double[2][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            curve[0][i] = rows.get(i).getLong(0);
            curve[1][i] = rows.get(i).getDouble(1);
        }
        doc.heading("Training loss");
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("training (per round)", curve);
        if (heldout[0].length > 0) {
            series.put("held-out (eval, per chunk)", heldout);
        }
        double top = Math.max(max(curve[1]), max(heldout[1]));
        for (int i = 1; i < rows.size(); i++) { // a dashed vertical line where a chunk's rounds begin: at the previous chunk's last
            if (!rows.get(i).getString(2).equals(rows.get(i - 1).getString(2))) {
                double x = rows.get(i - 1).getLong(0);
                series.put("-- ~chunk " + rows.get(i).getString(2), new double[][]{{x, x}, {0, top}});
            }
        }
        Charts.lines(dir.resolve("training_loss.png"), "Loss per token (nats) vs tokens seen", "tokens seen", "loss", series, 0.0);
        doc.image("training_loss.png", "training loss");
        doc.paragraph("Dashed vertical lines: where each chunk's training begins. Held-out loss: the eval stage's held-out documents, "
                + "nats per token over all languages (from each language's token perplexity, weighted by its tokens).");
        doc.paragraph(String.format(Locale.ROOT, "%d averaging rounds; last loss %.4f nats/token after %,d tokens.", rows.size(),
                curve[1][rows.size() - 1], (long) curve[0][rows.size() - 1]));
        expertUtilisation(doc, all);
    }

    /** A Mixture-of-Experts run: each chunk's last round's routing on the probe minibatch (the metrics' MoE columns). */
    static void expertUtilisation(ReportDocument doc, Dataset<Row> metrics) {
        List<Row> last = metrics.where("balance_loss IS NOT NULL").orderBy("tokens_seen")
                .select("chunk", "round", "balance_loss", "dropped_share", "expert_load").collectAsList();
        if (last.isEmpty()) {
            return;
        }
        Map<String, List<String>> byChunk = new java.util.LinkedHashMap<>();
        for (Row r : last) { // later rounds overwrite earlier ones: the chunk's last round stays
            List<Double> load = r.getList(4);
            byChunk.put(r.getString(0), List.of(r.getString(0), String.valueOf(r.getInt(1) + 1), fmt(r.getDouble(2)),
                    String.format(Locale.ROOT, "%.1f%%", 100 * r.getDouble(3)),
                    load.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).collect(java.util.stream.Collectors.joining(" "))));
        }
        doc.heading("Expert utilisation");
        doc.paragraph("Mixture-of-Experts routing of the averaged model after each chunk's last round, on a fixed minibatch: the "
                + "load-balancing loss summed over MoE blocks (1 per block when balanced), the share of expert choices dropped over "
                + "capacity, and each expert's share of first choices (block after block).");
        doc.table(List.of("chunk", "rounds", "balance loss", "dropped", "expert load"), new ArrayList<>(byChunk.values()));
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(0);
    }
}
