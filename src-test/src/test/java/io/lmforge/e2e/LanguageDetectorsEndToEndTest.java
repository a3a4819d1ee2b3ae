package io.lmforge.e2e;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest stage with each ingest.langid.detector: all commit with the count invariant and calibrated lang_score. */
class LanguageDetectorsEndToEndTest {

    @Test
    void ingestRunsWithEveryDetectorAndTheCalibratedVoteAgreesWithOurModel() throws Exception {
        String input = SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0001/oldi-seed.jsonl.gz").toString();
        SparkSession spark = SharedSpark.get();
        Map<String, Map<String, String>> langs = new HashMap<>();
        for (String detector : new String[]{"lmforge", "opennlp", "lmforge+opennlp", "lmforge+lingua"}) {
            Path root = SharedSpark.tempDir("detector");
            Cli.Run r = Cli.run("ingest", "--chunk", "0001", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]",
                    "--set", "ingest.langid.detector=\"" + detector + "\"", "--set", "ingest.filters.enabled=false");
            assertEquals(0, r.status(), detector + ": " + r.err());
            DatasetLayout layout = new DatasetLayout(root.toString());
            Manifest m = Manifests.read(layout.fs(spark.sparkContext().hadoopConfiguration()), layout.docs("0001"));
            Dataset<Row> docs = Datasets.readChunk(spark, layout, "docs", "0001");
            long rejected = Datasets.readChunk(spark, layout, "rejected", "0001").count();
            assertEquals(m.count("records_in"), docs.count() + rejected, detector + ": records read = kept + rejected");
            assertEquals(0, docs.filter(col("lang_score").lt(0.5).or(col("lang_score").gt(1.0))).count(), detector + ": kept scores in [min-score, 1]");
            Map<String, String> byDoc = new HashMap<>();
            docs.select("doc_id", "lang").collectAsList().forEach(row -> byDoc.put(row.getString(0), row.getString(1)));
            langs.put(detector, byDoc);
        }
        Map<String, String> ours = langs.get("lmforge");
        Map<String, String> vote = langs.get("lmforge+opennlp");
        long both = agreeing(vote, ours, false);
        long same = agreeing(vote, ours, true);
        for (String v : new String[]{"lmforge+opennlp", "lmforge+lingua"}) {
            long kept = agreeing(langs.get(v), ours, false);
            long agree = agreeing(langs.get(v), ours, true);
            assertTrue(kept > 100, v + ": documents kept by it and by lmforge: " + kept);
            assertTrue(agree >= 0.9 * kept, v + ": the vote keeps our model's answer where the library is less precise: " + agree + "/" + kept);
            System.out.printf("detectors on OLDI seed: %s = lmforge on %d/%d docs%n", v, agree, kept);
        }
        System.out.printf("detectors on OLDI seed: opennlp = lmforge on %d docs%n", agreeing(langs.get("opennlp"), ours, true));
        // OpenNLP alone names a language it knows for the many it does not (OLDI: Upper Sorbian, Wolof, ...)
        Map<String, String> theirs = langs.get("opennlp");
        long bothOpennlp = agreeing(theirs, ours, false);
        long sameOpennlp = agreeing(theirs, ours, true);
        assertTrue(sameOpennlp / (double) bothOpennlp < same / (double) both - 0.2,
                "OpenNLP alone agrees with our model far less than the vote: " + sameOpennlp + "/" + bothOpennlp + " vs " + same + "/" + both);
    }

    /** Documents kept by both detectors (sameLang false), or kept by both with the same language (true). */
    private static long agreeing(Map<String, String> a, Map<String, String> b, boolean sameLang) {
        return a.keySet().stream().filter(k -> b.containsKey(k) && (!sameLang || a.get(k).equals(b.get(k)))).count();
    }
}
