package io.lmforge.dedup.line;

import io.lmforge.dedup.TextKeys;

import java.io.Serializable;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * CCNet-style line dedup: per document the distinct hashes of its (normalised) lines, and the
 * removal of lines whose hash is in the boilerplate set. Lines shorter than minLineChars are
 * neither counted nor removed.
 */
public final class LineDedup implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern BLANK_RUNS = Pattern.compile("\n{3,}");
    private final int minLineChars;

    public LineDedup(int minLineChars) {
        this.minLineChars = minLineChars;
    }

    /** Distinct line hashes of a document, ascending (each line counts once per document). */
    public long[] lineHashes(String text) {
        if (text == null) {
            return new long[0];
        }
        String[] lines = text.split("\n");
        long[] hashes = new long[lines.length];
        int n = 0;
        for (String line : lines) {
            String norm = TextKeys.normaliseLine(line);
            if (norm.length() >= minLineChars) {
                hashes[n++] = TextKeys.lineHash(norm);
            }
        }
        Arrays.sort(hashes, 0, n);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || hashes[i] != hashes[i - 1]) {
                hashes[distinct++] = hashes[i];
            }
        }
        return Arrays.copyOf(hashes, distinct);
    }

    public record Result(String text, int removed) {
    }

    /** The text without boilerplate lines (sortedBoilerplate: ascending hashes). */
    public Result removeBoilerplate(String text, long[] sortedBoilerplate) {
        if (text == null || sortedBoilerplate.length == 0) {
            return new Result(text, 0);
        }
        StringBuilder sb = new StringBuilder(text.length());
        int removed = 0;
        for (String line : text.split("\n", -1)) {
            String n = TextKeys.normaliseLine(line);
            if (n.length() >= minLineChars && Arrays.binarySearch(sortedBoilerplate, TextKeys.lineHash(n)) >= 0) {
                removed++;
                continue;
            }
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append(line);
        }
        return new Result(removed == 0 ? text : BLANK_RUNS.matcher(sb).replaceAll("\n\n").strip(), removed);
    }
}
