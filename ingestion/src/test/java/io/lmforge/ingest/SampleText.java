package io.lmforge.ingest;

import io.lmforge.core.testing.SharedSpark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real documents from the shipped sample (data/sample/chunk-0002/text/SOURCE-LANG.txt). */
public final class SampleText {
    private SampleText() {
    }

    public static Path sampleDir() {
        return SharedSpark.repoRoot().toPath().resolve("data/sample");
    }

    public static List<String> docs(String source, String lang) {
        try {
            String s = Files.readString(sampleDir().resolve("chunk-0002/text/" + source + "-" + lang + ".txt"), StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String d : s.split("\n\\s*\n")) {
                if (!d.isBlank()) {
                    out.add(d.strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first document with at least minChars characters. */
    public static String doc(String source, String lang, int minChars) {
        return docs(source, lang).stream().filter(d -> d.length() >= minChars).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + source + "/" + lang + " doc of " + minChars + " chars"));
    }
}
