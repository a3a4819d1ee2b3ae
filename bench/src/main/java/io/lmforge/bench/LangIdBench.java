package io.lmforge.bench;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.ingest.langid.CombinedLanguageDetector;
import io.lmforge.ingest.langid.LangIdEvaluation;
import io.lmforge.ingest.langid.LangIdModelStore;
import io.lmforge.ingest.langid.LangIdTrainStage;
import io.lmforge.ingest.langid.LanguageIdentifier;
import io.lmforge.ingest.langid.LinguaLanguageDetector;
import org.apache.spark.sql.SparkSession;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * `bin/bench langid [--model DIR] [--ours-only]`: every detector on the same held-out documents of the shipped
 * labelled text (the split langid-train uses, so none of it was trained on): sentence and document
 * accuracy, per-language lows, confusions and single-thread speed.
 */
public final class LangIdBench {
    private LangIdBench() {
    }

    public static void main(String[] args) throws Exception {
        String model = "data/models/langid";
        boolean oursOnly = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--model")) {
                model = args[++i];
            } else if (args[i].equals("--ours-only")) {
                oursOnly = true;
            }
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("bench-langid").config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        PipelineConfig c = PipelineConfig.load(null, List.of());
        List<LangIdTrainStage.LabelledDoc> docs = LangIdTrainStage.readDocs(spark, LangIdTrainStage.inputFiles(spark, c.getStringList("langid.train.paths")),
                Pattern.compile(c.getString("langid.train.label-regex")), c.getString("langid.train.label-field"));
        List<List<LangIdTrainStage.LabelledDoc>> split = LangIdTrainStage.split(docs, c.getLong("langid.train.seed"),
                c.getDouble("langid.train.heldout-fraction"));
        List<LangIdTrainStage.LabelledDoc> heldout = split.get(2);
        List<LangIdTrainStage.LabelledDoc> sentences = LangIdTrainStage.sentences(heldout);
        long labels = heldout.stream().map(LangIdTrainStage.LabelledDoc::label).distinct().count();
        System.out.printf(Locale.ROOT, "held-out set: %d sentences, %d documents, %d languages (never trained on)%n",
                sentences.size(), heldout.size(), labels);

        String dir = io.lmforge.core.config.HomePaths.resolve(model);
        CombinedLanguageDetector ours = LangIdModelStore.detector(spark, "lmforge", dir, 2000, "low");
        LangIdEvaluation.run(ours, sentences, heldout).print(System.out, "lmforge model " + model);
        if (oursOnly) {
            spark.stop();
            return;
        }
        LangIdEvaluation.run(LanguageIdentifier.create("opennlp", 2000), sentences, heldout).print(System.out, "OpenNLP langdetect-183, raw scores");
        for (String mode : List.of("low", "high")) {
            LangIdEvaluation.run(new LinguaLanguageDetector(mode, 2000), sentences, heldout)
                    .print(System.out, "Lingua 1.2.2 " + mode + " accuracy, raw scores (margin over the runner-up)");
        }
        // every ingest.langid.detector setting, with the calibrations stored with the model
        for (String detector : LangIdModelStore.DETECTORS.subList(1, LangIdModelStore.DETECTORS.size())) {
            for (String mode : detector.contains("lingua") ? List.of("low", "high") : List.of("low")) {
                String name = "ingest.langid.detector=" + detector + (detector.contains("lingua") ? ", lingua-accuracy=" + mode : "");
                LangIdEvaluation.run(LangIdModelStore.detector(spark, detector, dir, 2000, mode), sentences, heldout)
                        .print(System.out, name + ", calibrated");
            }
        }
        spark.stop();
    }
}
