package io.lmforge.ingest.quality;

import io.lmforge.core.text.WordSegmenter;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.ibm.icu.text.UnicodeSet;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Computes every {@link Signal} of one document. Definitions mirror datatrove's
 * GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter and FineWebQualityFilter so that
 * published thresholds mean the same here; words come from {@link WordSegmenter} (ICU) instead
 * of whitespace splitting. Not thread-safe (holds a segmenter): one instance per thread.
 */
public final class QualitySignalCalculator {
    /** C4's line ends across scripts (Latin, CJK, Devanagari, Ethiopic, Myanmar, Arabic, Tibetan, Khmer, Armenian...), closing quotes included. */
    static final String TERMINAL_PUNCT = ".!?\"'”’»」』。！？．｡।॥።፧၊။؟۔܀։។៕།༎᙮᠃᠉";
    private static final Pattern POLICY = Pattern.compile(
            "terms of use|privacy policy|cookie policy|uses cookies|use of cookies|use cookies");
    /**
     * FineWeb's line rule ends: datatrove's TERMINAL_PUNCTUATION, which is Unicode's Sentence_Terminal plus three
     * Khmer signs, so "..." counts (it ends with '.') and closing quotes do not (C4's rule, above, differs on both).
     * Added: the Tibetan shads (Terminal_Punctuation but not Sentence_Terminal), with which Tibetan-script text
     * (bo, dz) ends its sentences; without them every such document would fail the rule.
     */
    private static final UnicodeSet FINEWEB_TERMINAL = new UnicodeSet("[[:STerm:]\\u17D6\\u17D9\\u17DA\\u0F0D\\u0F0E]").freeze();
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\n{2,}");
    private static final Hasher64 HASH = Hashing.xxh3_64();

    private final WordSegmenter segmenter = new WordSegmenter();
    private final boolean stopWordsEnabled;

    public QualitySignalCalculator(boolean stopWordsEnabled) {
        this.stopWordsEnabled = stopWordsEnabled;
    }

    /** Values in {@link Signal} order. */
    public Object[] compute(String text, String lang) {
        Object[] v = new Object[Signal.values().length];
        List<WordSegmenter.Token> tokens = segmenter.tokens(text);
        int nTokens = tokens.size();
        int nWords = 0;
        long wordChars = 0;
        int alphaTokens = 0;
        int punctTokens = 0;
        Set<String> stopSeen = new HashSet<>(); // Gopher: "at least two of the following words", so distinct words
        Set<String> stopList = StopWords.forLanguage(lang, stopWordsEnabled);
        String[] words = new String[nTokens];
        for (WordSegmenter.Token t : tokens) {
            if (t.word()) {
                words[nWords++] = t.text();
                wordChars += t.text().codePointCount(0, t.text().length());
                if (!stopList.isEmpty()) {
                    String folded = t.text().toLowerCase(Locale.ROOT);
                    if (stopList.contains(folded)) {
                        stopSeen.add(folded);
                    }
                }
            }
            if (hasLetter(t.text())) {
                alphaTokens++;
            } else if (!t.word() && isPunctuation(t.text())) {
                punctTokens++; // ICU splits off every punctuation mark; Gopher's whitespace words carry them
            }
        }
        String[] lineArr = text.split("\n", -1);
        int[] lineWords = wordsPerLine(tokens, lineArr);
        List<String> lines = new java.util.ArrayList<>();
        List<Integer> rawLine = new java.util.ArrayList<>();
        for (int i = 0; i < lineArr.length; i++) {
            if (!lineArr[i].isBlank()) {
                lines.add(lineArr[i]);
                rawLine.add(i);
            }
        }
        int nLines = lines.size();
        int nChars = text.length();
        double denomChars = Math.max(1, nChars);
        double denomTokens = Math.max(1, nTokens);

        set(v, Signal.N_CHARS, nChars);
        set(v, Signal.N_WORDS, nWords);
        set(v, Signal.N_LINES, nLines);
        set(v, Signal.AVG_WORD_LENGTH, nWords == 0 ? 0.0 : (double) wordChars / nWords);
        set(v, Signal.HASH_WORD_RATIO, count(text, "#") / denomTokens);
        set(v, Signal.ELLIPSIS_WORD_RATIO, (count(text, "...") + count(text, "…")) / denomTokens);
        String lower = text.toLowerCase(Locale.ROOT);
        // a line can only hold a C4 phrase the whole text holds (lower-casing maps characters one by one, but for Greek final sigma)
        boolean phrases = hasC4Phrase(lower);
        int bullets = 0;
        int ellipsisLines = 0;
        int punctLines = 0;
        int shortLines = 0;
        int c4Bad = 0;
        long lineChars = 0;
        for (int li = 0; li < lines.size(); li++) {
            String l = lines.get(li);
            String s = l.strip();
            lineChars += l.length();
            if (s.startsWith("•") || s.startsWith("-") || s.startsWith("*") || s.startsWith("‣") || s.startsWith("◦") || s.startsWith("▪")) {
                bullets++;
            }
            if (s.endsWith("...") || s.endsWith("…")) {
                ellipsisLines++;
            }
            boolean punct = endsWithTerminal(s);
            if (endsWithSentenceTerminal(l)) {
                punctLines++;
            }
            if (l.length() <= 30 || l.codePointCount(0, l.length()) <= 30) { // characters as datatrove's len(), not UTF-16 units
                shortLines++;
            }
            if (isC4BadLine(s, punct, phrases, lineWords[rawLine.get(li)])) {
                c4Bad++;
            }
        }
        double denomLines = Math.max(1, nLines);
        // Gopher's bullet and ellipsis shares are of every line, blank ones too, as datatrove (text.splitlines())
        // and Dolma (text.split("\n")) count them; the other line signals are over non-blank lines, as theirs are
        double denomAllLines = Math.max(1, lineArr.length - (text.endsWith("\n") ? 1 : 0));
        set(v, Signal.BULLET_LINES_RATIO, bullets / denomAllLines);
        set(v, Signal.ELLIPSIS_LINES_RATIO, ellipsisLines / denomAllLines);
        set(v, Signal.ALPHA_WORDS_RATIO, nTokens - punctTokens <= 0 ? 0.0 : alphaTokens / (double) (nTokens - punctTokens));
        set(v, Signal.STOP_WORDS, stopList.isEmpty() ? -1 : stopSeen.size());

        // Gopher repetition: lines split on \n+, paragraphs on \n{2,}
        long[] dupLines = duplicates(lines);
        List<String> paras = List.of(PARAGRAPH_BREAK.split(text.strip())); // = String.split, without compiling the pattern per call
        long[] dupParas = duplicates(paras);
        set(v, Signal.DUP_LINE_FRAC, dupLines[0] / denomLines);
        set(v, Signal.DUP_PARA_FRAC, dupParas[0] / (double) Math.max(1, paras.size()));
        set(v, Signal.DUP_LINE_CHAR_FRAC, dupLines[1] / denomChars);
        set(v, Signal.DUP_PARA_CHAR_FRAC, dupParas[1] / denomChars);
        long[] hashes = new long[nWords];
        int[] lengths = new int[nWords];
        for (int i = 0; i < nWords; i++) {
            hashes[i] = HASH.hashCharsToLong(words[i]);
            lengths[i] = words[i].length();
        }
        set(v, Signal.TOP_2GRAM_CHAR_FRAC, topNgramChars(hashes, lengths, nWords, 2) / denomChars);
        set(v, Signal.TOP_3GRAM_CHAR_FRAC, topNgramChars(hashes, lengths, nWords, 3) / denomChars);
        set(v, Signal.TOP_4GRAM_CHAR_FRAC, topNgramChars(hashes, lengths, nWords, 4) / denomChars);
        Signal[] dupN = {Signal.DUP_5GRAM_CHAR_FRAC, Signal.DUP_6GRAM_CHAR_FRAC, Signal.DUP_7GRAM_CHAR_FRAC,
                Signal.DUP_8GRAM_CHAR_FRAC, Signal.DUP_9GRAM_CHAR_FRAC, Signal.DUP_10GRAM_CHAR_FRAC};
        LongOpenHashSet seen = new LongOpenHashSet(nWords);
        for (int n = 5; n <= 10; n++) {
            seen.clear();
            set(v, dupN[n - 5], duplicateNgramChars(hashes, lengths, nWords, n, seen) / denomChars);
        }

        set(v, Signal.C4_BAD_LINE_FRAC, c4Bad / denomLines);
        set(v, Signal.HAS_LOREM_IPSUM, lower.contains("lorem ipsum"));
        set(v, Signal.HAS_CURLY_BRACKET, text.indexOf('{') >= 0);

        // FineWeb
        set(v, Signal.LINE_PUNCT_RATIO, punctLines / denomLines);
        set(v, Signal.SHORT_LINE_RATIO, shortLines / denomLines);
        set(v, Signal.CHAR_DUP_RATIO, dupLines[1] / (double) Math.max(1, lineChars));
        set(v, Signal.NEWLINE_WORD_RATIO, count(text, "\n") / (double) Math.max(1, nWords));
        return v;
    }

    private static boolean hasLetter(String s) {
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isLetter(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    private static boolean isPunctuation(String s) {
        return s.codePoints().allMatch(cp -> {
            int type = Character.getType(cp);
            return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION || type == Character.START_PUNCTUATION
                    || type == Character.END_PUNCTUATION || type == Character.INITIAL_QUOTE_PUNCTUATION
                    || type == Character.FINAL_QUOTE_PUNCTUATION || type == Character.OTHER_PUNCTUATION;
        });
    }

    private static void set(Object[] v, Signal s, Object value) {
        v[s.ordinal()] = value;
    }

    /** FineWeb's line_punct_ratio counts a line (as it is, not stripped, as datatrove) ending with {@link #FINEWEB_TERMINAL}. */
    static boolean endsWithSentenceTerminal(String line) {
        return !line.isEmpty() && FINEWEB_TERMINAL.contains(line.codePointBefore(line.length()));
    }

    /** C4's line rule: terminal punctuation or a closing quote, not an ellipsis. */
    static boolean endsWithTerminal(String s) {
        if (s.isEmpty() || s.endsWith("...") || s.endsWith("…")) {
            return false;
        }
        int last = s.codePointBefore(s.length());
        return TERMINAL_PUNCT.indexOf(last) >= 0;
    }

    /**
     * C4's line rules (Raffel et al.): no terminal punctuation, fewer than 3 words, javascript or policy text, a >1000-char word.
     *
     * @param textHasPhrase whether the whole lower-cased text holds a javascript/policy phrase (if not, no line does)
     * @param words the line's ICU words, or -1 when one is longer than 1,000 characters: the line's share of the
     *              whole text's segmentation (UAX #29 always breaks at line ends, so segmenting each line again,
     *              a tenth of the stage's time, gives the same words)
     */
    private static boolean isC4BadLine(String s, boolean punct, boolean textHasPhrase, int words) {
        if (!punct) {
            return true;
        }
        if (textHasPhrase && hasC4Phrase(s.toLowerCase(Locale.ROOT))) {
            return true;
        }
        return words < 3;
    }

    private static boolean hasC4Phrase(String lower) {
        return lower.contains("javascript") || POLICY.matcher(lower).find();
    }

    /** Words of each "\n"-separated line, -1 for a line with a word longer than 1,000 characters. */
    static int[] wordsPerLine(List<WordSegmenter.Token> tokens, String[] lines) {
        int[] words = new int[lines.length];
        int line = 0;
        int lineEnd = lines[0].length(); // offset of the '\n' ending the current line
        for (WordSegmenter.Token t : tokens) {
            while (t.start() > lineEnd && line + 1 < lines.length) {
                line++;
                lineEnd += 1 + lines[line].length();
            }
            if (t.word() && words[line] >= 0) {
                words[line] = t.text().length() > 1000 ? -1 : words[line] + 1;
            }
        }
        return words;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /** [duplicate elements, characters in duplicate elements] (datatrove find_duplicates). */
    static long[] duplicates(List<String> items) {
        Set<String> seen = new HashSet<>();
        long elems = 0;
        long chars = 0;
        for (String s : items) {
            if (!seen.add(s)) {
                elems++;
                chars += s.length();
            }
        }
        return new long[]{elems, chars};
    }

    /**
     * Characters covered by the most frequently occurring n-gram (Gopher), first seen among equally frequent ones:
     * len(" ".join(ngram)) * count, as datatrove's find_top_duplicate and Dolma's gopher tagger take
     * {@code Counter.most_common(1)}. Not the n-gram with the most characters: with every n-gram seen once, that
     * would make the longest one "top" and reject short documents the peers keep.
     */
    static long topNgramChars(long[] h, int[] len, int n, int k) {
        if (n < k) {
            return 0;
        }
        // primitive keys: boxed Long keys and int[] counters were a tenth of the ingest stage's task time
        Long2IntOpenHashMap firstSeen = new Long2IntOpenHashMap(n - k + 1);
        firstSeen.defaultReturnValue(-1);
        int[] counts = new int[n - k + 1];
        int top = -1;
        for (int i = 0; i + k <= n; i++) {
            int first = firstSeen.putIfAbsent(ngramHash(h, i, k), i);
            int at = first < 0 ? i : first;
            int c = ++counts[at];
            // a later n-gram takes the lead only with a higher count; on a tie the one seen first stays
            if (top < 0 || c > counts[top] || (c == counts[top] && at < top)) {
                top = at;
            }
        }
        return (long) ngramLength(len, top, k, true) * counts[top];
    }

    /** Characters in n-grams seen before, skipping past each repeat (datatrove find_all_duplicate). */
    static long duplicateNgramChars(long[] h, int[] len, int n, int k) {
        return duplicateNgramChars(h, len, n, k, new LongOpenHashSet(Math.max(0, n - k + 1)));
    }

    /** As above, in an empty set the caller reuses across n-gram sizes. */
    private static long duplicateNgramChars(long[] h, int[] len, int n, int k, LongOpenHashSet seen) {
        long repeated = 0;
        int i = 0;
        while (i <= n - k) {
            long key = ngramHash(h, i, k);
            if (!seen.add(key)) {
                repeated += ngramLength(len, i, k, false);
                i += k;
            } else {
                i++;
            }
        }
        return repeated;
    }

    private static long ngramHash(long[] h, int start, int k) {
        long x = 0x9E3779B97F4A7C15L * k;
        for (int j = start; j < start + k; j++) {
            x = Long.rotateLeft(x ^ h[j], 27) * 0x94D049BB133111EBL;
        }
        return x;
    }

    private static int ngramLength(int[] len, int start, int k, boolean withSpaces) {
        int s = withSpaces ? k - 1 : 0;
        for (int j = start; j < start + k; j++) {
            s += len[j];
        }
        return s;
    }
}
