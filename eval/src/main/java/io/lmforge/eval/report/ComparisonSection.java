package io.lmforge.eval.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static io.lmforge.eval.report.ReportStage.fmt;
import static io.lmforge.eval.report.ReportStage.label;

/** `report --compare RUN...`: runs side by side on their anytime curves (mean held-out bits per byte, cumulative errors). */
final class ComparisonSection {
    private ComparisonSection() {
    }

    static void write(ReportDocument doc, Map<String, AnytimeTable> runs, Path dir) throws IOException {
        TreeSet<String> keys = new TreeSet<>();
        runs.values().forEach(t -> keys.addAll(t.accuracyKeys()));
        List<String> header = new ArrayList<>(List.of("run", "chunks", "tokens seen", "bits/byte (latest)", "cumulative bits/byte"));
        keys.forEach(k -> header.add(label(k) + " acc (latest)"));
        List<List<String>> rows = new ArrayList<>();
        Map<String, double[][]> curves = new LinkedHashMap<>();
        for (Map.Entry<String, AnytimeTable> e : runs.entrySet()) {
            List<AnytimeTable.Point> pts = e.getValue().points();
            AnytimeTable.Point last = pts.get(pts.size() - 1);
            List<String> r = new ArrayList<>(List.of(e.getKey(), String.valueOf(pts.size()), String.format(Locale.ROOT, "%,d", last.tokensSeen()),
                    fmt(last.meanBpb()), fmt(e.getValue().cumulativeBpb())));
            keys.forEach(k -> r.add(last.acc().containsKey(k) ? fmt(last.acc().get(k)) : ""));
            rows.add(r);
            List<AnytimeTable.Point> withBpb = pts.stream().filter(p -> !p.bpb().isEmpty()).toList();
            curves.put(e.getKey(), new double[][]{withBpb.stream().mapToDouble(AnytimeTable.Point::tokensSeen).toArray(),
                    withBpb.stream().mapToDouble(AnytimeTable.Point::meanBpb).toArray()});
        }
        doc.heading("Runs compared");
        doc.table(header, rows);
        Charts.lines(dir.resolve("compare_bpb.png"), "Mean held-out bits per byte vs tokens seen, by run", "tokens seen", "bits/byte", curves, 0.0);
        doc.image("compare_bpb.png", "runs compared: bits per byte");
        doc.paragraph("Each run on its own held-out documents (the eval stage's, per chunk): runs over the same chunks and mix are "
                + "directly comparable; cumulative bits per byte is ALMA's anytime error, lower is better.");
    }
}
