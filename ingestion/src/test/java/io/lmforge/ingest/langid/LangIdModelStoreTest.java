package io.lmforge.ingest.langid;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.Normalizer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.linalg.SparseMatrix;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A language-ID model is read once per JVM (the pipeline daemon's ingests share it) and read again when its files
 * change; read from its files, it is what MLlib's loader and fromPipeline make of them, bit for bit.
 */
class LangIdModelStoreTest {
    @Test
    void theShippedNaiveBayesModelReadFromItsFilesIsWhatMllibLoads() throws Exception {
        SparkSession spark = SharedSpark.get();
        Path dir = SharedSpark.repoRoot().toPath().resolve("data/models/langid");
        Map<String, Object> info = new ObjectMapper().readValue(dir.resolve("langid.json").toFile(), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, List<Integer>> profile = (Map<String, List<Integer>>) info.get("labels_of_script");
        Map<String, int[]> scripts = new LinkedHashMap<>();
        profile.forEach((k, v) -> scripts.put(k, v.stream().mapToInt(Integer::intValue).toArray()));
        assertSameModel(spark, dir.resolve("pipeline"), scripts, 2.5);
    }

    @Test
    void aLogisticRegressionPipelineWithSparseCoefficientsReadsTheSame() throws Exception {
        SparkSession spark = SharedSpark.get();
        List<Row> rows = new ArrayList<>();
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(SharedSpark.repoRoot().toPath()
                .resolve("data/sample/chunk-0001/ud.jsonl.gz")))) {
            ObjectMapper json = new ObjectMapper();
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                var doc = json.readTree(line);
                String lang = doc.get("id").asText().split("/")[1];
                if (rows.stream().filter(r -> r.getString(0).equals(lang)).count() < 3) {
                    rows.add(RowFactory.create(lang, doc.get("text").asText()));
                }
            }
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("label", DataTypes.StringType).add("text", DataTypes.StringType));
        // as langid-train's logistic regression, with an L1 penalty that zeroes most weights: MLlib stores them sparse
        PipelineModel pm = new Pipeline().setStages(new PipelineStage[]{new CharNgramTokenizer().setMaxN(3),
                new HashingTF().setInputCol("ngrams").setOutputCol("tf").setNumFeatures(512),
                new StringIndexer().setInputCol("label").setOutputCol("label_idx").setStringOrderType("alphabetAsc"),
                new Normalizer().setInputCol("tf").setOutputCol("tf_l1").setP(1.0),
                new LogisticRegression().setFeaturesCol("tf_l1").setLabelCol("label_idx").setMaxIter(20).setRegParam(0.05).setElasticNetParam(1.0)})
                .fit(df);
        assertTrue(((LogisticRegressionModel) pm.stages()[4]).coefficientMatrix() instanceof SparseMatrix, "the sparse layout is what this covers");
        Path saved = SharedSpark.tempDir("langid-lr").resolve("pipeline");
        pm.write().save(saved.toString());
        assertSameModel(spark, saved, Map.of("Latn", new int[]{0, 2, 5}, "Cyrl", new int[]{1, 3}), 1.0);
    }

    private static void assertSameModel(SparkSession spark, Path pipeline, Map<String, int[]> scripts, double temperature) throws Exception {
        LinearLanguageModel viaMllib = LangIdModelStore.fromPipeline(PipelineModel.load(pipeline.toString()), scripts, temperature);
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(pipeline.toUri());
        LinearLanguageModel fromFiles = LangIdModelStore.fromPipelineFiles(p.getFileSystem(spark.sparkContext().hadoopConfiguration()), p,
                spark.sparkContext().hadoopConfiguration(), scripts, temperature);
        assertEquals(List.of(viaMllib.labels()), List.of(fromFiles.labels()));
        assertArrayEquals(serialized(viaMllib), serialized(fromFiles), "labels, weights, biases and parameters bit for bit");
    }

    private static byte[] serialized(LinearLanguageModel m) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        return bytes.toByteArray();
    }

    @Test
    void aModelIsReadOnceUntilItIsReplacedInPlace() throws Exception {
        SparkSession spark = SharedSpark.get();
        Path model = SharedSpark.tempDir("langid-store").resolve("langid");
        Path bundled = SharedSpark.repoRoot().toPath().resolve("data/models/langid");
        try (Stream<Path> files = Files.walk(bundled)) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(bundled.relativize(f).toString()));
            }
        }
        LinearLanguageModel first = LangIdModelStore.load(spark, model.toString());
        assertSame(first, LangIdModelStore.load(spark, model.toString()), "the same files: the model already read");

        // retrained in place: another fitted temperature, written later
        Path info = model.resolve("langid.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode node = (ObjectNode) json.readTree(info.toFile());
        node.put("temperature", first.temperature() * 2);
        FileTime before = Files.getLastModifiedTime(info);
        json.writeValue(info.toFile(), node);
        Files.setLastModifiedTime(info, FileTime.fromMillis(before.toMillis() + 2000));
        LinearLanguageModel second = LangIdModelStore.load(spark, model.toString());
        assertNotSame(first, second);
        assertEquals(first.temperature() * 2, second.temperature(), 1e-12);
        assertEquals(List.of(first.labels()), List.of(second.labels()));
    }
}
