package io.lmforge.tokenize.train;

import io.lmforge.core.testing.SharedSpark;
import io.lmforge.tokenize.SampleTexts;
import io.lmforge.tokenize.bpe.BpeEncoder;
import io.lmforge.tokenize.bpe.BpeTokenizer;
import io.lmforge.tokenize.bpe.HfTokenizerJson;
import io.lmforge.tokenize.bpe.PreTokenizer;
import io.lmforge.tokenize.encode.BpeModel;
import io.lmforge.tokenize.mix.TemperatureSampling;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BPE training's one pass over the text: its per-language statistics and word weights. */
class BpeTrainerTest {

    /** The sample's lines, plus a document without text and a language whose only text is empty. */
    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (SampleTexts.Line l : SampleTexts.docs(3, 6)) {
            rows.add(RowFactory.create(l.lang(), l.text()));
        }
        rows.add(RowFactory.create("en", null));
        rows.add(RowFactory.create("xx", ""));
        return rows;
    }

    private static Dataset<Row> dataset(List<Row> rows, int partitions) {
        StructType schema = new StructType().add("lang", DataTypes.StringType).add("text", DataTypes.StringType);
        return SharedSpark.get().createDataFrame(rows, schema).repartition(partitions);
    }

    @Test
    void perLanguageStatisticsEqualEncodingEveryDocument() {
        List<Row> rows = rows();
        BpeTrainer trainer = new BpeTrainer().setVocabSize(1200);
        BpeTokenizer tok = trainer.fit(dataset(rows, 3)).tokenizer();
        BpeEncoder enc = tok.newEncoder();
        Map<String, Long> docs = new TreeMap<>();
        Map<String, Long> bytes = new TreeMap<>();
        Map<String, Long> tokens = new TreeMap<>();
        for (Row r : rows) {
            String text = r.isNullAt(1) ? "" : r.getString(1);
            docs.merge(r.getString(0), 1L, Long::sum);
            tokens.merge(r.getString(0), (long) enc.encodeOrdinary(text).length, Long::sum);
            if (!r.isNullAt(1)) {
                bytes.merge(r.getString(0), (long) BpeModel.utf8Length(text), Long::sum);
            }
        }
        BpeTrainer.Stats st = trainer.lastStats();
        assertEquals(docs, st.docsByLang());
        assertEquals(bytes, st.bytesByLang());
        assertEquals(tokens.entrySet().stream().filter(e -> e.getValue() > 0).toList(), new ArrayList<>(st.tokensByLang().entrySet()));
        assertEquals(0L, st.bytesByLang().get("xx"), "a language whose text is empty has 0 bytes");
        assertTrue(tokens.get("en") > 1000, "the sample's English encodes to tokens: " + tokens.get("en"));
    }

    @Test
    void wordWeightsAreTheLanguageWeightedOccurrencesInFixedPoint() {
        List<Row> rows = rows();
        Dataset<Row> counted = LanguageWordCounts.count(dataset(rows, 4));
        LanguageWordCounts.Totals totals = LanguageWordCounts.totals(counted);
        Map<String, Double> weights = TemperatureSampling.repeats(totals.bytesByLang(), 0.3, 10.0);
        Map<String, Long> got = new HashMap<>();
        for (Row r : LanguageWordCounts.weighted(counted, weights).collectAsList()) {
            got.put(r.getString(0), r.getLong(1));
        }
        // independently: every occurrence of a word adds its language's weight (exact decimal arithmetic)
        Map<String, BigDecimal> sum = new HashMap<>();
        PreTokenizer pre = PreTokenizer.lmforge();
        for (Row r : rows) {
            if (!r.isNullAt(1)) {
                BigDecimal w = new BigDecimal(weights.get(r.getString(0))).setScale(9, RoundingMode.HALF_UP);
                pre.split(r.getString(1), word -> sum.merge(word, w, BigDecimal::add));
            }
        }
        Map<String, Long> expected = new HashMap<>();
        sum.forEach((word, s) -> expected.put(word, s.multiply(BigDecimal.valueOf(100)).setScale(0, RoundingMode.HALF_UP).longValueExact()));
        expected.values().removeIf(c -> c <= 0);
        assertEquals(expected, got);
        assertTrue(weights.values().stream().anyMatch(w -> w != Math.rint(w)), "fractional language weights are exercised");
    }

    @Test
    void theTokenizerDoesNotDependOnHowTheInputIsPartitioned() {
        List<Row> rows = rows();
        String one = HfTokenizerJson.write(new BpeTrainer().setVocabSize(1500).fit(dataset(rows, 1)).tokenizer());
        String seven = HfTokenizerJson.write(new BpeTrainer().setVocabSize(1500).fit(dataset(rows, 7)).tokenizer());
        assertEquals(one, seven);
    }

    @Test
    void distinctWordsAreCountedWhetherOrNotMaxWordsCutsTheTable() {
        List<Row> rows = rows();
        Map<String, Long> occurrences = new HashMap<>();
        PreTokenizer pre = PreTokenizer.lmforge();
        rows.stream().filter(r -> !r.isNullAt(1)).forEach(r -> pre.split(r.getString(1), w -> occurrences.merge(w, 1L, Long::sum)));
        int distinct = occurrences.size();
        assertTrue(distinct > 1000, distinct + " distinct words in the sample rows");
        for (int maxWords : new int[]{1_000_000, distinct, distinct - 1, 50}) {
            BpeTrainer trainer = new BpeTrainer().setVocabSize(400).setAlpha(1.0).setMaxWords(maxWords);
            trainer.fit(dataset(rows, 3));
            BpeTrainer.Stats st = trainer.lastStats();
            assertEquals(distinct, st.distinctWords(), "maxWords " + maxWords);
            assertEquals(Math.min(maxWords, distinct), st.wordsKept(), "maxWords " + maxWords);
        }
    }
}
