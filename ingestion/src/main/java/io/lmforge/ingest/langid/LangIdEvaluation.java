package io.lmforge.ingest.langid;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Held-out evaluation of a language identifier: accuracy per language, confusions, calibration, speed. */
public final class LangIdEvaluation {
    private final Map<String, int[]> perLabel = new TreeMap<>();  // label -> [sentences, correct, docs, correct docs]
    private final Map<String, Integer> confusions = new TreeMap<>();
    private int sentences;
    private int sentencesCorrect;
    private int docs;
    private int docsCorrect;
    private double sentencesPerSecond;
    private double docsPerSecond;
    private double meanDocChars;
    private double expectedCalibrationError;

    /** The softmax temperature minimising held-out negative log-likelihood (grid search on calibration documents). */
    static double fitTemperature(LinearLanguageModel model, List<LangIdTrainStage.LabelledDoc> calib, Map<String, Integer> indexOf) {
        List<double[]> zs = new ArrayList<>();
        List<int[]> allowedList = new ArrayList<>();
        List<Integer> gold = new ArrayList<>();
        for (LangIdTrainStage.LabelledDoc d : calib) {
            String script = ScriptDetector.dominant(d.text());
            int[] allowed = model.allowed(script);
            Integer g = indexOf.get(ScriptedLabel.of(d.label(), script));
            if (allowed == null || allowed.length < 2 || g == null || java.util.Arrays.stream(allowed).noneMatch(x -> x == g)) {
                continue;
            }
            double[] z = model.averagedScores(d.text(), script);
            if (z != null) {
                zs.add(z);
                allowedList.add(allowed);
                gold.add(g);
            }
        }
        double best = 1;
        double bestNll = Double.MAX_VALUE;
        for (double t = 1; t <= 2000; t *= 1.15) {
            double nll = 0;
            for (int i = 0; i < zs.size(); i++) {
                double[] p = LinearLanguageModel.softmax(zs.get(i), allowedList.get(i), t);
                nll -= Math.log(Math.max(1e-12, p[gold.get(i)]));
            }
            if (nll < bestNll) {
                bestNll = nll;
                best = t;
            }
        }
        return best;
    }

    public static LangIdEvaluation run(LanguageDetector model, List<LangIdTrainStage.LabelledDoc> sentences, List<LangIdTrainStage.LabelledDoc> docs) {
        LangIdEvaluation e = new LangIdEvaluation();
        double[] binConf = new double[10];
        double[] binAcc = new double[10];
        int[] binN = new int[10];
        for (int i = 0; i < Math.min(1000, sentences.size()); i++) {
            model.detect(sentences.get(i).text()); // JIT warm-up, so the speed is the steady state
        }
        long t = System.nanoTime();
        for (LangIdTrainStage.LabelledDoc s : sentences) {
            LanguageDetector.Detection d = model.detect(s.text());
            boolean ok = d.lang().equals(s.label());
            int[] c = e.perLabel.computeIfAbsent(s.label(), k -> new int[4]);
            c[0]++;
            e.sentences++;
            if (ok) {
                c[1]++;
                e.sentencesCorrect++;
            } else {
                e.confusions.merge(s.label() + "->" + d.lang(), 1, Integer::sum);
            }
            int bin = Math.min(9, (int) (d.score() * 10));
            binConf[bin] += d.score();
            binAcc[bin] += ok ? 1 : 0;
            binN[bin]++;
        }
        e.sentencesPerSecond = e.sentences / Math.max(1e-9, (System.nanoTime() - t) / 1e9);
        for (int b = 0; b < 10; b++) {
            if (binN[b] > 0) {
                e.expectedCalibrationError += Math.abs(binConf[b] - binAcc[b]) / e.sentences;
            }
        }
        t = System.nanoTime();
        long chars = 0;
        for (LangIdTrainStage.LabelledDoc d : docs) {
            chars += d.text().length();
            boolean ok = model.detect(d.text()).lang().equals(d.label());
            int[] c = e.perLabel.computeIfAbsent(d.label(), k -> new int[4]);
            c[2]++;
            e.docs++;
            if (ok) {
                c[3]++;
                e.docsCorrect++;
            }
        }
        e.docsPerSecond = e.docs / Math.max(1e-9, (System.nanoTime() - t) / 1e9);
        e.meanDocChars = chars / (double) Math.max(1, e.docs);
        return e;
    }

    public double sentenceAccuracy() {
        return sentencesCorrect / (double) Math.max(1, sentences);
    }

    public double documentAccuracy() {
        return docsCorrect / (double) Math.max(1, docs);
    }

    List<Map.Entry<String, Integer>> topConfusions(int n) {
        List<Map.Entry<String, Integer>> l = new ArrayList<>(confusions.entrySet());
        l.sort((a, b) -> b.getValue() - a.getValue());
        return l.subList(0, Math.min(n, l.size()));
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sentences", sentences);
        m.put("sentence_accuracy", sentenceAccuracy());
        m.put("documents", docs);
        m.put("document_accuracy", documentAccuracy());
        m.put("sentences_per_second_1_thread", sentencesPerSecond);
        m.put("documents_per_second_1_thread", docsPerSecond);
        m.put("expected_calibration_error", expectedCalibrationError);
        Map<String, Object> per = new TreeMap<>();
        perLabel.forEach((k, v) -> per.put(k, Map.of("sentences", v[0], "sentence_accuracy", v[1] / (double) Math.max(1, v[0]),
                "documents", v[2], "document_accuracy", v[3] / (double) Math.max(1, v[2]))));
        m.put("per_language", per);
        Map<String, Integer> top = new LinkedHashMap<>();
        topConfusions(20).forEach(x -> top.put(x.getKey(), x.getValue()));
        m.put("top_confusions", top);
        return m;
    }

    public void print(PrintStream out, String name) {
        out.printf(Locale.ROOT, "%nheld-out evaluation (%s): sentences %.3f (%d), documents %.3f (%d, %,.0f characters on average), %,.0f sentences/s and"
                        + " %,.0f documents/s on 1 thread, calibration error %.3f%n",
                name, sentenceAccuracy(), sentences, documentAccuracy(), docs, meanDocChars, sentencesPerSecond, docsPerSecond, expectedCalibrationError);
        StringBuilder worst = new StringBuilder();
        perLabel.entrySet().stream().filter(e -> e.getValue()[0] > 0)
                .sorted((a, b) -> Double.compare(a.getValue()[1] / (double) a.getValue()[0], b.getValue()[1] / (double) b.getValue()[0]))
                .limit(12).forEach(e -> worst.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(), e.getValue()[1] / (double) e.getValue()[0])));
        out.println("lowest sentence accuracy:" + worst);
        StringBuilder conf = new StringBuilder();
        topConfusions(12).forEach(e -> conf.append(' ').append(e.getKey()).append(" ×").append(e.getValue()));
        out.println("top confusions (gold->predicted):" + conf);
    }
}
