package io.lmforge.ingest.langid;

import java.io.Serializable;
import java.util.List;

/**
 * Several detectors behind one answer (ingest.langid.detector = lmforge+opennlp, lmforge+lingua, lmforge+opennlp+lingua). The rule:
 * <ol>
 *   <li>the first detector (our model) reads the script; a script it never saw is
 *       lang_unknown_script, whatever the others would guess (OpenNLP names Korean for N'Ko);</li>
 *   <li>every detector answers, and its answer is scored by its own {@link ScoreCalibration}:
 *       the held-out precision of that detector for that language at that raw score;</li>
 *   <li>the answer with the highest calibrated score wins, ties to the earlier detector; its
 *       calibrated score is lang_score, so one min-score threshold means one precision whichever
 *       detector answered.</li>
 * </ol>
 * With one detector this is that detector with calibrated scores.
 */
public final class CombinedLanguageDetector implements LanguageDetector, Serializable {
    private static final long serialVersionUID = 1L;

    /** A detector and the calibration of its scores (null: raw scores are used as they are). */
    public record Member(String name, LanguageDetector detector, ScoreCalibration calibration) implements Serializable {
    }

    private final List<Member> members;

    public CombinedLanguageDetector(List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no detector");
        }
        this.members = List.copyOf(members);
    }

    public List<Member> members() {
        return members;
    }

    @Override
    public Detection detect(String text) {
        Detection first = members.get(0).detector().detect(text);
        if (!first.knownScript()) {
            return first;
        }
        String bestLang = null;
        double best = -1;
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            Detection d = i == 0 ? first : m.detector().detect(text);
            if (d.lang() == null || d.lang().equals("und")) {
                continue;
            }
            double p = m.calibration() == null ? d.score() : m.calibration().calibrated(d.lang(), d.score());
            if (p > best) {
                best = p;
                bestLang = d.lang();
            }
        }
        return bestLang == null ? new Detection("und", 0.0, first.script(), true) : new Detection(bestLang, best, first.script(), true);
    }
}
