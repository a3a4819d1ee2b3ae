package io.lmforge.eval.task;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A prompt template of a task config. Text with placeholders:
 * <ul>
 *   <li>{@code {field}} or {@code {field|filter|...}}: a field of the example, through filters
 *       {@code strip}, {@code drop-last} (remove the final character, e.g. a full stop),
 *       {@code lcfirst}, {@code before-blank} / {@code after-blank} (the text before / after the
 *       first '_'), {@code word} (the value looked up in the language's words table);</li>
 *   <li>{@code {=name}}: the word {@code name} of the language's words table (connectors such as
 *       XNLI's "right"/"Yes"/"No" in each language).</li>
 * </ul>
 * {@code {{} and {@code {}}} write literal braces.
 */
public final class Template implements Serializable {
    private final String source;
    private final List<Part> parts;

    private record Part(String literal, String field, List<String> filters, String word) implements Serializable {
    }

    private static final List<String> FILTERS = List.of("strip", "drop-last", "lcfirst", "before-blank", "after-blank", "word");

    private Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = parts;
    }

    public static Template parse(String source) {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            char ch = source.charAt(i);
            if (ch == '{' && source.startsWith("{{}", i)) {
                lit.append('{');
                i += 3;
            } else if (ch == '{' && source.startsWith("{}}", i)) {
                lit.append('}');
                i += 3;
            } else if (ch == '{') {
                int end = source.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("template '" + source + "': unclosed '{' at " + i);
                }
                if (!lit.isEmpty()) {
                    parts.add(new Part(lit.toString(), null, List.of(), null));
                    lit.setLength(0);
                }
                parts.add(placeholder(source, source.substring(i + 1, end)));
                i = end + 1;
            } else {
                lit.append(ch);
                i++;
            }
        }
        if (!lit.isEmpty()) {
            parts.add(new Part(lit.toString(), null, List.of(), null));
        }
        return new Template(source, parts);
    }

    private static Part placeholder(String source, String body) {
        if (body.startsWith("=")) {
            return new Part(null, null, List.of(), body.substring(1).strip());
        }
        String[] bits = body.split("\\|");
        List<String> filters = new ArrayList<>();
        for (int k = 1; k < bits.length; k++) {
            String f = bits[k].strip();
            if (!FILTERS.contains(f)) {
                throw new IllegalArgumentException("template '" + source + "': unknown filter '" + f + "' (known: " + FILTERS + ")");
            }
            filters.add(f);
        }
        String field = bits[0].strip();
        if (field.isEmpty()) {
            throw new IllegalArgumentException("template '" + source + "': empty placeholder");
        }
        return new Part(null, field, filters, null);
    }

    /** The text for one example; words = the language's words table. */
    public String render(Map<String, String> doc, Map<String, String> words) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p.literal() != null) {
                out.append(p.literal());
            } else if (p.word() != null) {
                out.append(word(words, p.word()));
            } else {
                String v = doc.get(p.field());
                if (v == null) {
                    throw new IllegalArgumentException("template '" + source + "': the example has no field '" + p.field() + "' (fields: " + doc.keySet() + ")");
                }
                for (String f : p.filters()) {
                    v = apply(f, v, words);
                }
                out.append(v);
            }
        }
        return out.toString();
    }

    private String apply(String filter, String v, Map<String, String> words) {
        return switch (filter) {
            case "strip" -> v.strip();
            case "drop-last" -> v.isEmpty() ? v : v.substring(0, v.offsetByCodePoints(v.length(), -1));
            case "lcfirst" -> v.isEmpty() ? v : v.substring(0, v.offsetByCodePoints(0, 1)).toLowerCase(java.util.Locale.ROOT) + v.substring(v.offsetByCodePoints(0, 1));
            case "before-blank" -> v.substring(0, blank(v));
            case "after-blank" -> v.substring(blank(v) + 1);
            case "word" -> word(words, v);
            default -> throw new IllegalStateException(filter);
        };
    }

    private int blank(String v) {
        int i = v.indexOf('_');
        if (i < 0) {
            throw new IllegalArgumentException("template '" + source + "': no '_' blank in '" + v + "'");
        }
        return i;
    }

    private String word(Map<String, String> words, String key) {
        String w = words.get(key);
        if (w == null) {
            throw new IllegalArgumentException("template '" + source + "': no word '" + key + "' for this language (words: " + words.keySet() + ")");
        }
        return w;
    }

    @Override
    public String toString() {
        return source;
    }
}
