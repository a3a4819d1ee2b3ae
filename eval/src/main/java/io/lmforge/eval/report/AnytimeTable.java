package io.lmforge.eval.report;

import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The anytime table (eval/&lt;run&gt;/anytime) in arrival order, and ALMA's cumulative error: the
 * sum over evaluated chunks of each metric's error (1 - accuracy; bits per byte for language
 * modelling), so a learner that is useful early scores better than one that only ends well.
 */
public final class AnytimeTable {
    /** One evaluated chunk: tokens seen, bpb per language, mean accuracy per "task|k" (weighted by examples). */
    public record Point(String chunk, long seq, long tokensSeen, String modelChunk, Map<String, Double> bpb, Map<String, Double> acc,
                        Map<String, Long> accExamples, Map<String, Double> uniformBpb, Map<String, Double> unigramBpb) {
        /** The standard error of an accuracy over its examples, sqrt(p (1 - p) / (n - 1)) as lm-evaluation-harness reports it. */
        public double accStderr(String key) {
            long n = accExamples.getOrDefault(key, 0L);
            double p = acc.getOrDefault(key, Double.NaN);
            return n < 2 ? Double.NaN : Math.sqrt(p * (1 - p) / (n - 1));
        }

        public double meanBpb() {
            return mean(bpb);
        }

        /** The same mean for a model guessing uniformly over the vocabulary. */
        public double meanUniformBpb() {
            return mean(uniformBpb);
        }

        /** The same mean for a unigram model of the training tokens. */
        public double meanUnigramBpb() {
            return mean(unigramBpb);
        }

        private static double mean(Map<String, Double> m) {
            return m.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    private final List<Point> points;

    private AnytimeTable(List<Point> points) {
        this.points = points;
    }

    /** Rows with the anytime schema (chunk, seq, model_chunk, step, tokens_seen, metric, task, lang, k, value, n). */
    public static AnytimeTable of(List<Row> rows) {
        Map<String, Object[]> meta = new TreeMap<>();
        Map<String, Map<String, Double>> bpb = new TreeMap<>();
        Map<String, Map<String, Double>> uniform = new TreeMap<>();
        Map<String, Map<String, Double>> unigram = new TreeMap<>();
        Map<String, Map<String, double[]>> acc = new TreeMap<>();
        for (Row r : rows) {
            String chunk = r.getString(r.fieldIndex("chunk"));
            meta.putIfAbsent(chunk, new Object[]{r.getLong(r.fieldIndex("seq")), r.getLong(r.fieldIndex("tokens_seen")), r.getString(r.fieldIndex("model_chunk"))});
            String metric = r.getString(r.fieldIndex("metric"));
            double value = r.getDouble(r.fieldIndex("value"));
            Map<String, Map<String, Double>> bpbLike = switch (metric) {
                case "bpb" -> bpb;
                case "bpb_uniform" -> uniform;
                case "bpb_unigram" -> unigram;
                default -> null;
            };
            if (bpbLike != null) {
                bpbLike.computeIfAbsent(chunk, c -> new TreeMap<>()).put(r.getString(r.fieldIndex("lang")), value);
            } else if (metric.equals("acc")) {
                long n = r.getLong(r.fieldIndex("n"));
                String key = r.getString(r.fieldIndex("task")) + "|" + r.getInt(r.fieldIndex("k"));
                double[] s = acc.computeIfAbsent(chunk, c -> new TreeMap<>()).computeIfAbsent(key, k -> new double[2]);
                s[0] += value * n;
                s[1] += n;
            }
        }
        List<Point> points = new ArrayList<>();
        for (Map.Entry<String, Object[]> e : meta.entrySet()) {
            Map<String, Double> a = new LinkedHashMap<>();
            Map<String, Long> examples = new LinkedHashMap<>();
            acc.getOrDefault(e.getKey(), Map.of()).forEach((k, s) -> {
                a.put(k, s[0] / s[1]);
                examples.put(k, (long) s[1]);
            });
            points.add(new Point(e.getKey(), (Long) e.getValue()[0], (Long) e.getValue()[1], (String) e.getValue()[2],
                    bpb.getOrDefault(e.getKey(), Map.of()), a, examples, uniform.getOrDefault(e.getKey(), Map.of()), unigram.getOrDefault(e.getKey(), Map.of())));
        }
        points.sort(java.util.Comparator.comparingLong(Point::seq).thenComparing(Point::chunk));
        return new AnytimeTable(points);
    }

    public List<Point> points() {
        return points;
    }

    public TreeSet<String> accuracyKeys() {
        TreeSet<String> keys = new TreeSet<>();
        points.forEach(p -> keys.addAll(p.acc().keySet()));
        return keys;
    }

    /** Sum over chunks of (1 - accuracy) for a "task|k" key; chunks without it are skipped. */
    public double cumulativeError(String key) {
        return points.stream().filter(p -> p.acc().containsKey(key)).mapToDouble(p -> 1 - p.acc().get(key)).sum();
    }

    /** Sum over chunks of the mean bits per byte over languages. */
    public double cumulativeBpb() {
        return points.stream().filter(p -> !p.bpb().isEmpty()).mapToDouble(Point::meanBpb).sum();
    }
}
