package io.lmforge.eval.report;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The report's "Population based training" section (train.mode = pbt), from pbt/&lt;run&gt;/lineage:
 * every member's held-out bits per byte at each ready point, the hyperparameter schedules the
 * population found (each searched hyperparameter of every member over the ready points), and the
 * best member's lineage traced back through the copies it descends from.
 */
final class PopulationSection {
    private PopulationSection() {
    }

    static void write(ReportDocument doc, Dataset<Row> lineage, Path dir) throws IOException {
        List<Row> rows = lineage.orderBy("ready", "member").collectAsList();
        if (rows.isEmpty()) {
            return;
        }
        Map<Long, Map<Integer, Row>> byReady = new TreeMap<>();
        TreeSet<String> searched = new TreeSet<>();
        for (Row r : rows) {
            byReady.computeIfAbsent(r.getLong(r.fieldIndex("ready")), k -> new TreeMap<>()).put(r.getInt(r.fieldIndex("member")), r);
            searched.addAll(r.<String, Double>getJavaMap(r.fieldIndex("hyperparameters")).keySet());
        }
        doc.heading("Population based training");
        long exploits = rows.stream().filter(r -> r.getBoolean(r.fieldIndex("exploited"))).count();
        doc.paragraph(String.format(Locale.ROOT, "%d members, %d ready points, %d copies of a better member (exploit), "
                + "scored by held-out bits per byte (lower is better). Each member's curve is its own slot: a copy jumps to its parent's weights.",
                byReady.values().iterator().next().size(), byReady.size(), exploits));
        Charts.lines(dir.resolve("pbt_members.png"), "Held-out bits per byte of each member at each ready point", "ready point", "bits per byte",
                series(byReady, r -> r.getDouble(r.fieldIndex("score"))));
        doc.image("pbt_members.png", "population members' held-out bits per byte");
        for (String h : searched) {
            String png = "pbt_" + h.replace('-', '_') + ".png";
            Charts.lines(dir.resolve(png), h + " of each member (the schedule PBT found)", "ready point", h,
                    series(byReady, r -> r.<String, Double>getJavaMap(r.fieldIndex("hyperparameters")).get(h)));
            doc.image(png, h + " schedule");
        }
        doc.paragraph("The best member's lineage, from its latest ready point back: which member slot held its weights, the "
                + "hyperparameters they trained with, the score they reached, and where a copy came from.");
        doc.table(List.of("ready", "chunk", "member", "hyperparameters", "bits per byte", "copied into"), bestLineage(byReady));
    }

    private static Map<String, double[][]> series(Map<Long, Map<Integer, Row>> byReady, java.util.function.ToDoubleFunction<Row> value) {
        Map<String, double[][]> out = new TreeMap<>();
        int n = byReady.size();
        int i = 0;
        for (Map.Entry<Long, Map<Integer, Row>> e : byReady.entrySet()) {
            for (Map.Entry<Integer, Row> m : e.getValue().entrySet()) {
                double[][] s = out.computeIfAbsent("member " + m.getKey(), k -> new double[2][n]);
                s[0][i] = e.getKey() + 1;
                s[1][i] = value.applyAsDouble(m.getValue());
            }
            i++;
        }
        return out;
    }

    /** From the best member at the last ready point back: at each earlier point, the member whose weights it continued from. */
    static List<List<String>> bestLineage(Map<Long, Map<Integer, Row>> byReady) {
        List<Long> readies = new ArrayList<>(byReady.keySet());
        Map<Integer, Row> last = byReady.get(readies.get(readies.size() - 1));
        int cur = last.values().stream().filter(r -> !Double.isNaN(r.getDouble(r.fieldIndex("score"))))
                .min(java.util.Comparator.<Row>comparingDouble(r -> r.getDouble(r.fieldIndex("score"))).thenComparingInt(r -> r.getInt(r.fieldIndex("member"))))
                .map(r -> r.getInt(r.fieldIndex("member"))).orElse(0);
        List<List<String>> out = new ArrayList<>();
        Map<Integer, Integer> copiedInto = new HashMap<>();
        for (int i = readies.size() - 1; i >= 0; i--) {
            Row r = byReady.get(readies.get(i)).get(cur);
            if (r == null) {
                break;
            }
            Map<String, Double> h = r.getJavaMap(r.fieldIndex("hyperparameters"));
            out.add(List.of(String.valueOf(readies.get(i) + 1), r.getString(r.fieldIndex("chunk")), String.valueOf(cur),
                    h.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.3g", e.getKey(), e.getValue())).collect(Collectors.joining(", ")),
                    String.format(Locale.ROOT, "%.4f", r.getDouble(r.fieldIndex("score"))),
                    copiedInto.containsKey(cur) ? "member " + copiedInto.get(cur) : ""));
            if (i > 0) {
                Row before = byReady.get(readies.get(i - 1)).get(cur);
                int parent = before == null ? cur : before.getInt(before.fieldIndex("parent"));
                copiedInto.clear();
                if (parent != cur) {
                    copiedInto.put(parent, cur);
                }
                cur = parent;
            }
        }
        return out;
    }
}
