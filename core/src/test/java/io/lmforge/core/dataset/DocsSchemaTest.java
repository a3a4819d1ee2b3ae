package io.lmforge.core.dataset;

import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/datasets.md names every column of every dataset schema, so the reference users read is the contract the writers check. */
class DocsSchemaTest {

    @Test
    void everyColumnOfEverySchemaIsDocumented() throws Exception {
        String doc = Files.readString(SharedSpark.repoRoot().toPath().resolve("docs/datasets.md"));
        Map<String, StructType> sections = new LinkedHashMap<>();
        sections.put("`docs/chunk=<id>/lang=<l>/*.parquet`", DatasetSchemas.DOCS);
        sections.put("`rejected/chunk=<id>/*.parquet`", DatasetSchemas.REJECTED);
        sections.put("`dedup/docs/chunk=<id>/lang=<l>/*.parquet`", DatasetSchemas.DEDUP_DOCS);
        sections.put("`dedup/duplicates/chunk=<id>/*.parquet`", DatasetSchemas.DUPLICATES);
        sections.put("`tokens/chunk=<id>/lang=<l>/*.parquet`", DatasetSchemas.TOKENS);
        sections.put("`mix/chunk=<id>/train/*.parquet`", DatasetSchemas.SEQUENCES);
        sections.put("`models/<run>/metrics/chunk=<id>/*.parquet`", DatasetSchemas.TRAIN_METRICS);
        sections.put("`eval/<run>/anytime/chunk=<id>/*.parquet`", DatasetSchemas.ANYTIME);
        sections.put("`pbt/<run>/lineage/chunk=<id>/*.parquet`", DatasetSchemas.PBT_LINEAGE);
        String docsSection = section(doc, "`docs/chunk=<id>/lang=<l>/*.parquet`");
        for (Map.Entry<String, StructType> e : sections.entrySet()) {
            String text = expandBraces(section(doc, e.getKey()));
            if (text.contains("the columns of `docs/`")) {
                text += expandBraces(docsSection);
            }
            List<String> missing = new ArrayList<>();
            for (StructField f : e.getValue().fields()) {
                boolean signal = DatasetSchemas.QUALITY_SIGNALS.getFieldIndex(f.name()).isDefined();
                if (!(signal && text.contains("the signal columns")) && !Pattern.compile("\\b" + f.name() + "\\b").matcher(text).find()) {
                    missing.add(f.name());
                }
            }
            assertTrue(missing.isEmpty(), e.getKey() + " does not document " + missing);
        }
    }

    /** The paragraph (or table) that starts with {@code marker}: up to the next paragraph that opens with a dataset path. */
    private static String section(String doc, String marker) {
        int start = doc.indexOf(marker);
        assertTrue(start >= 0, "docs/datasets.md has no section " + marker);
        int end = doc.indexOf("\n\n`", start);
        return doc.substring(start, end < 0 ? doc.length() : end);
    }

    /** top_{2,3,4}gram_x -> top_2gram_x top_3gram_x top_4gram_x; dup_{5..10}gram_x -> dup_5gram_x ... dup_10gram_x. */
    static String expandBraces(String s) {
        Matcher m = Pattern.compile("([a-z_]*)\\{(\\d+)\\.\\.(\\d+)}([a-z_]*)|([a-z_]*)\\{([a-z0-9,]+)}([a-z_]*)").matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            List<String> words = new ArrayList<>();
            if (m.group(2) != null) {
                for (int i = Integer.parseInt(m.group(2)); i <= Integer.parseInt(m.group(3)); i++) {
                    words.add(m.group(1) + i + m.group(4));
                }
            } else {
                for (String v : m.group(6).split(",")) {
                    words.add(m.group(5) + v + m.group(7));
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(String.join(" ", words)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
