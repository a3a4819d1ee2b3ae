package io.lmforge.e2e;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.Datasets;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.StageCommit;
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
        for (String detector : new String[]{"lmforge", "opennlp", "lmforge+opennlp"}) {
            Path root = SharedSpark.tempDir("detector");
            Cli.Run r = Cli.run("ingest", "--chunk", "0001", "--root", root.toString(), "--set", "ingest.input.paths=[\"" + input + "\"]",
                    "--set", "ingest.langid.detector=\"" + detector + "\"", "--set", "ingest.filters.enabled=false");
            assertEquals(0, r.status(), detector + ": " + r.err());
            DatasetLayout layout = new DatasetLayout(root.toString());
            Manifest m = StageCommit.readManifest(layout.fs(spark.sparkContext().hadoopConfiguration()), layout.docs("0001"));
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
        long both = vote.keySet().stream().filter(ours::containsKey).count();
        long same = vote.keySet().stream().filter(k -> vote.get(k).equals(ours.get(k))).count();
        assertTrue(both > 100, "documents kept by both: " + both);
        assertTrue(same >= 0.9 * both, "the vote keeps our model's answer where OpenNLP is less precise: " + same + "/" + both);
        System.out.printf("detectors on OLDI seed: vote = lmforge on %d/%d docs, opennlp = lmforge on %d docs%n", same, both,
                langs.get("opennlp").keySet().stream().filter(k -> langs.get("opennlp").get(k).equals(ours.get(k))).count());
        // OpenNLP alone names a language it knows for the many it does not (OLDI: Upper Sorbian, Wolof, ...)
        Map<String, String> theirs = langs.get("opennlp");
        long bothOpennlp = theirs.keySet().stream().filter(ours::containsKey).count();
        long sameOpennlp = theirs.keySet().stream().filter(k -> theirs.get(k).equals(ours.get(k))).count();
        assertTrue(sameOpennlp / (double) bothOpennlp < same / (double) both - 0.2,
                "OpenNLP alone agrees with our model far less than the vote: " + sameOpennlp + "/" + bothOpennlp + " vs " + same + "/" + both);
    }
}
