package io.lmforge.ingest.langid;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one detector's raw score into the probability that its answer is right, per answered
 * language: held-out precision of the detector in each (language, score decile) cell, shrunk
 * toward the detector's precision in that decile over all languages (m-estimate, {@link #SHRINK}
 * pseudo-answers) so that rare cells do not swing. After it, lang_score means the same thing for
 * every detector (OpenNLP's flat 0.01 on an unseen script, Lingua's always-1.0 top score, our
 * softmax), and a per-language threshold is a threshold on precision: an answer the detector
 * often gets wrong for that language (mag for hne/bho text) scores low.
 */
public final class ScoreCalibration implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int BINS = 10;
    static final double SHRINK = 20;
    private final Map<String, long[]> answered = new TreeMap<>(); // predicted lang -> answers per bin
    private final Map<String, long[]> right = new TreeMap<>();    // predicted lang -> right answers per bin
    private final long[] answeredAll = new long[BINS];
    private final long[] rightAll = new long[BINS];

    /** Fits on labelled sentences the detector never trained on. */
    public static ScoreCalibration fit(LanguageDetector detector, List<LangIdTrainStage.LabelledDoc> sentences) {
        ScoreCalibration c = new ScoreCalibration();
        for (LangIdTrainStage.LabelledDoc s : sentences) {
            LanguageDetector.Detection d = detector.detect(s.text());
            c.add(d.lang(), d.score(), d.lang().equals(s.label()));
        }
        return c;
    }

    void add(String lang, double raw, boolean ok) {
        int b = bin(raw);
        answered.computeIfAbsent(lang, k -> new long[BINS])[b]++;
        answeredAll[b]++;
        if (ok) {
            right.computeIfAbsent(lang, k -> new long[BINS])[b]++;
            rightAll[b]++;
        }
    }

    static int bin(double raw) {
        return Math.max(0, Math.min(BINS - 1, (int) (raw * BINS)));
    }

    /** P(right | the detector answered lang with this raw score). */
    public double calibrated(String lang, double raw) {
        int b = bin(raw);
        double prior = (rightAll[b] + 1.0) / (answeredAll[b] + 2.0);
        long[] n = answered.get(lang);
        long[] k = right.get(lang);
        double nb = n == null ? 0 : n[b];
        double kb = k == null ? 0 : k[b];
        return (kb + SHRINK * prior) / (nb + SHRINK);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bins", BINS);
        m.put("shrink", SHRINK);
        m.put("answered_all", toList(answeredAll));
        m.put("right_all", toList(rightAll));
        Map<String, Object> per = new TreeMap<>();
        answered.forEach((lang, n) -> per.put(lang, Map.of("answered", toList(n), "right", toList(right.getOrDefault(lang, new long[BINS])))));
        m.put("per_language", per);
        return m;
    }

    @SuppressWarnings("unchecked")
    public static ScoreCalibration fromMap(Map<String, Object> m) {
        ScoreCalibration c = new ScoreCalibration();
        copy((List<Number>) m.get("answered_all"), c.answeredAll);
        copy((List<Number>) m.get("right_all"), c.rightAll);
        ((Map<String, Map<String, List<Number>>>) m.get("per_language")).forEach((lang, cells) -> {
            copy(cells.get("answered"), c.answered.computeIfAbsent(lang, k -> new long[BINS]));
            copy(cells.get("right"), c.right.computeIfAbsent(lang, k -> new long[BINS]));
        });
        return c;
    }

    private static List<Long> toList(long[] a) {
        List<Long> l = new ArrayList<>();
        for (long x : a) {
            l.add(x);
        }
        return l;
    }

    private static void copy(List<Number> from, long[] to) {
        for (int i = 0; i < Math.min(from.size(), to.length); i++) {
            to[i] = from.get(i).longValue();
        }
    }
}
