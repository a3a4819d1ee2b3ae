package io.lmforge.tokenize.bpe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into pre-tokens (BPE never merges across them). One regex, written once in the
 * Oniguruma syntax that HF {@code tokenizers} runs (it goes into tokenizer.json as a
 * {@code Split} pre-tokenizer, behaviour Isolated) and translated to java.util.regex here, so
 * both sides cut text identically (the parity test checks it on every script in the sample).
 *
 * <p>Based on GPT-4's cl100k pattern, changed for multilingual text:
 * <ul>
 *   <li>letter runs include combining marks ({@code \p{M}}), so Indic/SE-Asian words are not
 *       cut at every vowel sign;</li>
 *   <li>scripts written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) form
 *       runs of at most 4 (CJK) or 6 (SE-Asian) characters of one script instead of one
 *       sentence-long "word", which would make pre-tokens unique, defeat the merge statistics
 *       and make encoding cost quadratic in the sentence length;</li>
 *   <li>no English contraction rule ('s, 't, ...);</li>
 *   <li>whitespace is the explicit Unicode White_Space set, not {@code \s}, whose meaning
 *       differs between regex engines.</li>
 * </ul>
 */
public final class PreTokenizer {
    /** Unicode White_Space. */
    private static final String WS = "\\t\\n\\x{0B}\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";
    private static final String[] SPACELESS = {"Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar"};

    /** Our pattern in Oniguruma syntax, as written into tokenizer.json. */
    public static final String LMFORGE_PATTERN = build(false);
    /** GPT-2's pattern (HF ByteLevel pre-tokenizer with use_regex=true). */
    public static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    private static final Pattern LMFORGE_JAVA_PATTERN = Pattern.compile(build(true));
    private static final PreTokenizer LMFORGE = new PreTokenizer(LMFORGE_PATTERN, LMFORGE_JAVA_PATTERN, false, true);
    /** The same pattern run by java.util.regex: the definition the scanner is tested against. */
    static final PreTokenizer LMFORGE_REGEX = new PreTokenizer(LMFORGE_PATTERN, LMFORGE_JAVA_PATTERN, false, false);

    /** A Unicode property in an Oniguruma pattern: backslash, p or P, braces, optional ^ (negation), name. */
    private static final Pattern ONIG_PROPERTY = Pattern.compile("\\\\([pP])\\{(\\^?)([A-Za-z_]+)\\}");

    private final String onigPattern;
    private final Pattern pattern;
    private final boolean addPrefixSpace;
    /** Our own pattern: cut by {@link PreTokenScanner} instead of the regex engine (same cuts). */
    private final boolean scanned;

    private PreTokenizer(String onigPattern, Pattern pattern, boolean addPrefixSpace, boolean scanned) {
        this.onigPattern = onigPattern;
        this.pattern = pattern;
        this.addPrefixSpace = addPrefixSpace;
        this.scanned = scanned;
    }

    /** The pre-tokenizer of tokenizers trained here. */
    public static PreTokenizer lmforge() {
        return LMFORGE;
    }

    /**
     * A pre-tokenizer read from someone else's tokenizer.json: an Oniguruma pattern translated to
     * java.util.regex (script names get Java's "Is" prefix; {@code \s}, {@code \d}, {@code \w} are
     * Unicode-aware in Oniguruma, so the Java pattern uses UNICODE_CHARACTER_CLASS).
     */
    public static PreTokenizer fromOniguruma(String onigPattern, boolean addPrefixSpace) {
        if (onigPattern.equals(LMFORGE_PATTERN) && !addPrefixSpace) {
            return LMFORGE;
        }
        String javaPattern = ONIG_PROPERTY.matcher(onigPattern).replaceAll(m -> {
            String name = m.group(3);
            String p = m.group(2).isEmpty() ? m.group(1) : m.group(1).equals("p") ? "P" : "p";
            boolean script = name.length() > 2;
            if (script) {
                try {
                    Character.UnicodeScript.forName(name);
                } catch (IllegalArgumentException notAScript) {
                    script = false;
                }
            }
            return java.util.regex.Matcher.quoteReplacement("\\" + p + "{" + (script ? "Is" : "") + name + "}");
        });
        try {
            return new PreTokenizer(onigPattern, Pattern.compile(javaPattern, Pattern.UNICODE_CHARACTER_CLASS), addPrefixSpace, false);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("pre-tokenizer regex is not supported by java.util.regex: " + e.getDescription()
                    + " in " + onigPattern, e);
        }
    }

    public String onigPattern() {
        return onigPattern;
    }

    public boolean addPrefixSpace() {
        return addPrefixSpace;
    }

    private static String script(String name, boolean java) {
        return java ? "\\p{Is" + name + "}" : "\\p{" + name + "}";
    }

    private static String build(boolean java) {
        StringBuilder spaceless = new StringBuilder();
        StringBuilder runs = new StringBuilder();
        for (String s : SPACELESS) {
            String p = script(s, java);
            spaceless.append(p);
            String cls = s.equals("Katakana") ? "[" + p + "\\x{30FC}]" : p; // ー (U+30FC) is script Common
            int max = s.equals("Han") || s.equals("Hiragana") || s.equals("Katakana") ? 4 : 6;
            runs.append(runs.length() == 0 ? "" : "|").append(cls).append("{1,").append(max).append('}');
        }
        spaceless.append("\\x{30FC}");
        String lead = "[^\\r\\n\\p{L}\\p{N}]?";
        return lead + "[\\p{L}\\p{M}&&[^" + spaceless + "]]+"   // a word, with one leading space/punct
                + "|" + lead + "(?:" + runs + ")"                 // a short run of a script without spaces
                + "|\\p{N}{1,3}"                                   // numbers in groups of up to 3 digits
                + "| ?[^" + WS + "\\p{L}\\p{N}]+[\\r\\n]*"         // punctuation/symbols
                + "|[" + WS + "]*[\\r\\n]+"                        // line breaks with their indentation
                + "|[" + WS + "]+(?![^" + WS + "])"                // trailing whitespace / all but the last space
                + "|[" + WS + "]+";
    }

    /**
     * Calls {@code sink} with each pre-token of {@code text}, in order; together they are exactly the text.
     * Our own pattern runs as {@link PreTokenScanner} (same cuts, several times faster).
     */
    public void split(CharSequence text, Consumer<String> sink) {
        String s = text.toString();
        if (addPrefixSpace && !s.isEmpty() && s.charAt(0) != ' ') {
            s = " " + s; // HF ByteLevel(add_prefix_space=true)
        }
        if (scanned) {
            for (int i = 0, end; i < s.length(); i = end) {
                end = PreTokenScanner.next(s, i);
                sink.accept(s.substring(i, end));
            }
            return;
        }
        Matcher m = pattern.matcher(s);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                sink.accept(s.substring(last, m.start())); // HF keeps unmatched gaps as pieces; the pattern leaves none
            }
            sink.accept(s.substring(m.start(), m.end()));
            last = m.end();
        }
        if (last < s.length()) {
            sink.accept(s.substring(last));
        }
    }

    public List<String> split(CharSequence text) {
        List<String> out = new ArrayList<>();
        split(text, out::add);
        return out;
    }
}
