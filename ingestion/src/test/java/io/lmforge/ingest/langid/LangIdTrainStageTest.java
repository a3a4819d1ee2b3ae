package io.lmforge.ingest.langid;

import io.lmforge.core.cli.PipelineMain;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.ml.PipelineModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** langid-train as a user runs it, on a small labelled subset: a versioned model that reloads and works. */
class LangIdTrainStageTest {
    @Test
    void trainsEvaluatesAndWritesAReloadableMllibModel() throws Exception {
        Path out = SharedSpark.tempDir("langid-model");
        Path root = SharedSpark.tempDir("langid-root");
        String texts = SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text").toString();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = PipelineMain.run(new String[]{"langid-train", "--root", root.toString(),
                "--set", "langid.train.paths=[\"" + texts + "/gnome-help-{de,nl,sv,ru,uk,el,sr,sr-Latn}.txt\", \"" + texts + "/ud-{de,nl,sv,ru}.txt\"]",
                "--set", "langid.train.output=\"" + out + "\"", "--set", "langid.train.num-features=8192",
                "--set", "langid.train.calibrate=[opennlp, lingua-low]"},
                new PrintStream(buf, true, StandardCharsets.UTF_8), new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, log);
        assertTrue(log.contains("held-out evaluation") && log.contains("langid-train: committed"), log);
        PipelineModel pm = PipelineModel.load(out.resolve("pipeline").toString()); // plain MLlib persistence
        assertEquals(4, pm.stages().length);
        LinearLanguageModel m = LangIdModelStore.load(SharedSpark.get(), out.toString());
        // one class per (language, script): Serbian in Cyrillic and in Latin letters are two classes, both answer "sr"
        assertEquals(java.util.List.of("de:Latn", "el:Grek", "nl:Latn", "ru:Cyrl", "sr:Cyrl", "sr:Latn", "sv:Latn", "uk:Cyrl"), java.util.List.of(m.labels()));
        assertEquals("sr", m.detect("Korisnik može da promeni podešavanja sistema preko menija za podešavanja.").lang());
        assertEquals("sr", m.detect("Корисник може да промени подешавања система преко менија за подешавања.").lang());
        assertEquals("nl", m.detect("De gebruiker kan de instellingen van het systeem wijzigen via het menu.").lang());
        assertEquals("uk", m.detect("Користувач може змінити параметри системи через меню налаштувань.").lang());
        java.util.Map<String, Object> info = LangIdModelStore.readInfo(org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration()),
                new org.apache.hadoop.fs.Path(out.toString()));
        @SuppressWarnings("unchecked")
        double docAccuracy = ((Number) ((java.util.Map<String, Object>) info.get("heldout")).get("document_accuracy")).doubleValue();
        assertTrue(docAccuracy >= 0.95, "held-out document accuracy " + docAccuracy);
        // score calibrations for our model and each detector named in langid.train.calibrate, and the votes evaluated
        assertEquals(java.util.Set.of("lmforge", "opennlp", "lingua-low"), ((java.util.Map<?, ?>) info.get("calibration")).keySet());
        assertTrue(info.containsKey("heldout_lmforge+lingua-low") && log.contains("calibrated vote (ingest.langid.detector=lmforge+lingua)"), log);
        assertEquals("de", LangIdModelStore.detector(SharedSpark.get(), "lmforge+lingua", out.toString(), 2000, "low")
                .detect("Der Benutzer kann die Einstellungen des Systems über das Menü ändern.").lang());
        // a vote with a detector this model was not calibrated for is refused, with what to do
        io.lmforge.core.config.ConfigError missing = org.junit.jupiter.api.Assertions.assertThrows(io.lmforge.core.config.ConfigError.class,
                () -> LangIdModelStore.detector(SharedSpark.get(), "lmforge+lingua", out.toString(), 2000, "high"));
        assertTrue(missing.getMessage().contains("'lingua-high'") && missing.getMessage().contains("langid.train.calibrate"), missing.getMessage());
    }

    /** Training files compressed as ingest reads them give the same labelled documents as the plain files. */
    @Test
    void compressedTrainingFilesGiveTheSameDocumentsAsPlainOnes() throws Exception {
        Path repo = SharedSpark.repoRoot().toPath();
        Path plain = SharedSpark.tempDir("langid-plain");
        Path packed = SharedSpark.tempDir("langid-packed");
        byte[] text = java.nio.file.Files.readAllBytes(repo.resolve("data/sample/chunk-0002/text/gnome-help-de.txt"));
        byte[] jsonl;
        try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(repo.resolve("data/sample/chunk-0001/gnome-help.jsonl.gz")))) {
            jsonl = in.readAllBytes();
        }
        java.nio.file.Files.write(plain.resolve("gnome-help-de.txt"), text);
        java.nio.file.Files.write(plain.resolve("labels.jsonl"), jsonl);
        try (var out = new org.apache.commons.compress.compressors.xz.XZCompressorOutputStream(java.nio.file.Files.newOutputStream(packed.resolve("gnome-help-de.txt.xz")))) {
            out.write(text);
        }
        try (var out = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(java.nio.file.Files.newOutputStream(packed.resolve("labels.jsonl.bz2")))) {
            out.write(jsonl);
        }
        java.util.regex.Pattern regex = java.util.regex.Pattern.compile("^(?:ud|gnome-help|oldi-seed)-(.+)\\.txt$");
        java.util.List<String> fromPlain = labelledTexts(plain, regex);
        assertTrue(fromPlain.size() > 100 && fromPlain.stream().anyMatch(d -> d.startsWith("de|")), "labelled documents: " + fromPlain.size());
        assertEquals(fromPlain, labelledTexts(packed, regex));
    }

    private static java.util.List<String> labelledTexts(Path dir, java.util.regex.Pattern regex) throws Exception {
        var spark = SharedSpark.get();
        return LangIdTrainStage.readDocs(spark, LangIdTrainStage.inputFiles(spark, java.util.List.of(dir.toString())), regex, "source_lang")
                .stream().map(d -> d.label() + "|" + d.text()).sorted().toList();
    }
}

