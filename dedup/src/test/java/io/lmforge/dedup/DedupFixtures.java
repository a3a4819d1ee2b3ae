package io.lmforge.dedup;

import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.dataset.Lineage;
import io.lmforge.core.testing.Fixtures;
import io.lmforge.core.ids.StableId;
import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Real sample documents and committed docs/ chunks built from them, without running ingest. */
public final class DedupFixtures {
    static final StructType DOCS = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
            .add("text", DataTypes.StringType);

    record Doc(String docId, String lang, String text) {
        Row row() {
            return RowFactory.create(docId, lang, text);
        }
    }

    private DedupFixtures() {
    }

    public static List<String> sampleDocs(String source, String lang) {
        try {
            String s = Files.readString(SharedSpark.repoRoot().toPath().resolve("data/sample/chunk-0002/text/" + source + "-" + lang + ".txt"),
                    StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String d : s.split("\n\\s*\n")) {
                if (d.strip().length() > 200) {
                    out.add(d.strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Doc doc(String chunk, String lang, int i, String text) {
        return new Doc(StableId.docId(chunk + "/" + lang, i), lang, text);
    }

    static Dataset<Row> frame(List<Doc> docs) {
        List<Row> rows = new ArrayList<>();
        docs.forEach(d -> rows.add(d.row()));
        return SharedSpark.get().createDataFrame(rows, DOCS);
    }

    /** Writes docs/chunk=ID/lang=L/ with a manifest, as ingest would. */
    static void commitDocs(DatasetLayout layout, String chunk, List<Doc> docs) throws Exception {
        Fixtures.commit(SharedSpark.get(), layout, "ingest", chunk, layout.docs(chunk),
                staged -> Fixtures.padTo(frame(docs), DatasetSchemas.DOCS).write().partitionBy("lang").parquet(staged.toString()),
                Map.of("kept", docs.size()), Lineage.NONE);
    }
}
