package io.lmforge.bench;

import com.github.pemistahl.lingua.api.Language;
import com.github.pemistahl.lingua.api.LanguageDetectorBuilder;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.ingest.langid.CombinedLanguageDetector;
import io.lmforge.ingest.langid.LangIdEvaluation;
import io.lmforge.ingest.langid.LangIdModelStore;
import io.lmforge.ingest.langid.LangIdTrainStage;
import io.lmforge.ingest.langid.LanguageCodes;
import io.lmforge.ingest.langid.LanguageDetector;
import io.lmforge.ingest.langid.LanguageIdentifier;
import io.lmforge.ingest.langid.ScoreCalibration;
import io.lmforge.ingest.langid.ScriptDetector;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * `bin/bench langid [--model DIR]`: every detector on the same held-out documents of the shipped
 * labelled text (the split langid-train uses, so none of it was trained on): sentence and document
 * accuracy, per-language lows, confusions and single-thread speed.
 */
public final class LangIdBench {
    private LangIdBench() {
    }

    public static void main(String[] args) throws Exception {
        String model = "data/models/langid";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--model")) {
                model = args[++i];
            }
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("bench-langid").config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        PipelineConfig c = PipelineConfig.load(null, List.of());
        List<LangIdTrainStage.LabelledDoc> docs = LangIdTrainStage.readDocs(spark, c.getStringList("langid.train.paths"),
                Pattern.compile(c.getString("langid.train.label-regex")), c.getString("langid.train.label-field"));
        List<List<LangIdTrainStage.LabelledDoc>> split = LangIdTrainStage.split(docs, c.getLong("langid.train.seed"),
                c.getDouble("langid.train.heldout-fraction"));
        List<LangIdTrainStage.LabelledDoc> heldout = split.get(2);
        List<LangIdTrainStage.LabelledDoc> sentences = LangIdTrainStage.sentences(heldout);
        List<LangIdTrainStage.LabelledDoc> calibration = LangIdTrainStage.calibrationSamples(split.get(1));
        long labels = heldout.stream().map(LangIdTrainStage.LabelledDoc::label).distinct().count();
        System.out.printf(Locale.ROOT, "held-out set: %d sentences, %d documents, %d languages (never trained on)%n",
                sentences.size(), heldout.size(), labels);

        String dir = io.lmforge.core.config.HomePaths.resolve(model);
        CombinedLanguageDetector ours = LangIdModelStore.detector(spark, "lmforge", dir, 2000);
        LangIdEvaluation.run(ours, sentences, heldout).print(System.out, "lmforge model " + model);
        LangIdEvaluation.run(LanguageIdentifier.create("opennlp", 2000), sentences, heldout).print(System.out, "OpenNLP langdetect-183, raw scores");
        LangIdEvaluation.run(LangIdModelStore.detector(spark, "opennlp", dir, 2000), sentences, heldout).print(System.out, "OpenNLP langdetect-183, calibrated");
        LangIdEvaluation.run(LangIdModelStore.detector(spark, "lmforge+opennlp", dir, 2000), sentences, heldout)
                .print(System.out, "lmforge+opennlp, calibrated vote (ingest.langid.detector=lmforge+opennlp)");
        for (boolean low : new boolean[]{true, false}) {
            LanguageDetectorBuilder b = LanguageDetectorBuilder.fromAllLanguages();
            com.github.pemistahl.lingua.api.LanguageDetector lingua = (low ? b.withLowAccuracyMode() : b).build();
            LanguageDetector adapter = text -> new LanguageDetector.Detection(linguaCode(lingua.detectLanguageOf(text)), 1.0,
                    ScriptDetector.dominant(text), true);
            String name = "Lingua 1.2.2 " + (low ? "low" : "high") + " accuracy";
            LangIdEvaluation.run(adapter, sentences, heldout).print(System.out, name);
            // Lingua is not an ingest dependency (heap, speed); the same calibrated vote, measured here
            CombinedLanguageDetector vote = new CombinedLanguageDetector(List.of(ours.members().get(0),
                    new CombinedLanguageDetector.Member("lingua", adapter, ScoreCalibration.fit(adapter, calibration))));
            LangIdEvaluation.run(vote, sentences, heldout).print(System.out, "lmforge+" + name + ", calibrated vote");
        }
        spark.stop();
    }

    static String linguaCode(Language l) {
        if (l == Language.UNKNOWN) {
            return "und";
        }
        String c1 = l.getIsoCode639_1().name().toLowerCase(Locale.ROOT);
        return c1.equals("none") ? l.getIsoCode639_3().name().toLowerCase(Locale.ROOT) : LanguageCodes.normalize(c1);
    }
}
