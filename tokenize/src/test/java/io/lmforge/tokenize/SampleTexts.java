package io.lmforge.tokenize;

import io.lmforge.core.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The sample's plain-text chunk (one file per source and language, ~98 varieties) as test input. */
public final class SampleTexts {
    private static final Pattern NAME = Pattern.compile("(?:gnome-help|oldi-seed|ud)-(.+)\\.txt");

    private SampleTexts() {
    }

    public record Line(String lang, String text) {
    }

    public static List<Line> lines() {
        File dir = new File(SharedSpark.repoRoot(), "data/sample/chunk-0002/text");
        File[] files = dir.listFiles((d, n) -> n.endsWith(".txt"));
        if (files == null || files.length == 0) {
            throw new IllegalStateException("no sample text in " + dir);
        }
        Arrays.sort(files);
        List<Line> out = new ArrayList<>();
        for (File f : files) {
            Matcher m = NAME.matcher(f.getName());
            String lang = m.matches() ? m.group(1) : f.getName();
            try {
                for (String line : Files.readAllLines(f.toPath(), StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        out.add(new Line(lang, line));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Documents of about {@code linesPerDoc} lines, up to {@code docsPerLang} per language. */
    public static List<Line> docs(int linesPerDoc, int docsPerLang) {
        List<Line> out = new ArrayList<>();
        String lang = null;
        StringBuilder doc = new StringBuilder();
        int inDoc = 0;
        int docs = 0;
        for (Line l : lines()) {
            if (!l.lang().equals(lang)) {
                lang = l.lang();
                doc.setLength(0);
                inDoc = 0;
                docs = 0;
            }
            if (docs >= docsPerLang) {
                continue;
            }
            doc.append(inDoc == 0 ? "" : "\n").append(l.text());
            if (++inDoc == linesPerDoc) {
                out.add(new Line(lang, doc.toString()));
                doc.setLength(0);
                inDoc = 0;
                docs++;
            }
        }
        return out;
    }

    public static Dataset<Row> dataset(List<Line> lines) {
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (Line l : lines) {
            rows.add(RowFactory.create(String.format("doc%06d", i++), l.lang(), l.text()));
        }
        StructType schema = new StructType().add("doc_id", DataTypes.StringType).add("lang", DataTypes.StringType)
                .add("text", DataTypes.StringType);
        return SharedSpark.get().createDataFrame(rows, schema);
    }
}
