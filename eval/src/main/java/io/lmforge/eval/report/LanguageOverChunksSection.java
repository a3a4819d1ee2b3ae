package io.lmforge.eval.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/** Bits per byte of every language at every evaluated chunk, as a heat map (languages ordered by their latest value). */
final class LanguageOverChunksSection {
    private LanguageOverChunksSection() {
    }

    static void write(ReportDocument doc, AnytimeTable table, Path dir) throws IOException {
        List<AnytimeTable.Point> points = table.points().stream().filter(p -> !p.bpb().isEmpty()).toList();
        if (points.size() < 2) {
            return; // one chunk: the per-language bars say it all
        }
        TreeSet<String> all = new TreeSet<>();
        points.forEach(p -> all.addAll(p.bpb().keySet()));
        AnytimeTable.Point last = points.get(points.size() - 1);
        List<String> langs = new ArrayList<>(all);
        langs.sort(Comparator.comparingDouble((String l) -> last.bpb().getOrDefault(l, Double.MAX_VALUE)).thenComparing(l -> l));
        List<String> chunks = points.stream().map(AnytimeTable.Point::chunk).toList();
        double[][] values = new double[langs.size()][chunks.size()];
        for (int y = 0; y < langs.size(); y++) {
            for (int x = 0; x < chunks.size(); x++) {
                values[y][x] = points.get(x).bpb().getOrDefault(langs.get(y), Double.NaN);
            }
        }
        doc.heading("Bits per byte by language over chunks");
        Charts.heatMap(dir.resolve("bpb_language_chunks.png"), "Held-out bits per byte: language x chunk", chunks, langs, values);
        doc.image("bpb_language_chunks.png", "bits per byte by language and chunk");
        doc.paragraph(String.format(java.util.Locale.ROOT, "%d languages (rows, the best at the latest chunk at the bottom) over %d evaluated chunks "
                + "(columns, in arrival order); the colour scale beside the map gives the values. The values are in eval/<run>/anytime (metric bpb).",
                langs.size(), chunks.size()));
    }
}
