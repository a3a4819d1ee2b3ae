package io.lmforge.core.config;

import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/troubleshooting.md lists every configuration error a user can get: every {@code new ConfigError(...)}
 * in the modules' main code, by the fixed text of its message (each string literal of 8 or more
 * characters, without the names and numbers a message fills in), appears on that page.
 */
class ConfigErrorsDocumentedTest {
    private static final String EDGES = " '\",:;().\t";

    @Test
    void everyConfigErrorMessageIsOnTheTroubleshootingPage() throws IOException {
        Path repo = SharedSpark.repoRoot().toPath();
        String doc = Files.readString(repo.resolve("docs/troubleshooting.md")).replace("\\|", "|");
        List<String> missing = new ArrayList<>();
        int sites = 0;
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.startsWith(repo.resolve("bench")))::iterator) {
                String src = Files.readString(f);
                Matcher m = Pattern.compile("new ConfigError\\(").matcher(src);
                while (m.find()) {
                    sites++;
                    for (String text : fixedTexts(argument(src, m.end()))) {
                        if (!doc.contains(text)) {
                            missing.add(repo.relativize(f) + ": " + text);
                        }
                    }
                }
            }
        }
        assertTrue(sites > 50, "found the ConfigError sites: " + sites);
        assertTrue(missing.isEmpty(), "not in docs/troubleshooting.md:\n" + String.join("\n", missing));
    }

    /** The constructor's argument: from {@code from} to its closing parenthesis, string literals skipped whole. */
    static String argument(String src, int from) {
        int depth = 1;
        boolean inString = false;
        int i = from;
        for (; depth > 0; i++) {
            char c = src.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
        }
        return src.substring(from, i - 1);
    }

    /** The string literals of an expression (format placeholders split them), trimmed of edge punctuation, 8 characters or more. */
    static List<String> fixedTexts(String expr) {
        List<String> out = new ArrayList<>();
        Matcher lit = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(expr);
        while (lit.find()) {
            for (String piece : lit.group(1).replaceAll("\\\\(.)", "$1").split("%[sd]")) {
                String t = strip(piece);
                if (t.length() >= 8) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && EDGES.indexOf(s.charAt(a)) >= 0) {
            a++;
        }
        while (b > a && EDGES.indexOf(s.charAt(b - 1)) >= 0) {
            b--;
        }
        return s.substring(a, b);
    }
}
