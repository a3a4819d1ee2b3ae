package io.lmforge.eval.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads task examples as field maps: {@code jsonl} (one object per line), {@code tsv} (header
 * row), {@code xwinograd-tsv} (Tikhonov &amp; Ryabinin's dataset.tsv: raw text, tokens, pronoun
 * span and candidates, turned into the harness's fields: sentence with '_' for the pronoun,
 * option1, option2, answer 1|2, lang).
 */
public final class TaskDocs {
    public static final List<String> FORMATS = List.of("jsonl", "tsv", "xwinograd-tsv");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskDocs() {
    }

    public static List<Map<String, String>> read(String format, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("task data file not found: " + file);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Map<String, String>> out = new ArrayList<>();
        switch (format) {
            case "jsonl" -> {
                for (String l : lines) {
                    if (l.isBlank()) {
                        continue;
                    }
                    Map<String, String> doc = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(l).fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        doc.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
                    }
                    out.add(doc);
                }
            }
            case "tsv" -> {
                String[] header = lines.get(0).split("\t", -1);
                for (String l : lines.subList(1, lines.size())) {
                    if (l.isBlank()) {
                        continue;
                    }
                    String[] v = l.split("\t", -1);
                    if (v.length != header.length) {
                        throw new IOException(file + ": row with " + v.length + " fields, header has " + header.length + ": " + l);
                    }
                    Map<String, String> doc = new LinkedHashMap<>();
                    for (int i = 0; i < header.length; i++) {
                        doc.put(header[i], v[i]);
                    }
                    out.add(doc);
                }
            }
            case "xwinograd-tsv" -> {
                for (String l : lines) {
                    if (!l.isBlank()) {
                        out.add(xwinograd(l, file));
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown task data format '" + format + "' (known: " + FORMATS + ")");
        }
        return out;
    }

    /** One dataset.tsv row: lang, source, english ref, raw text, tokens, pronoun, candidates. */
    static Map<String, String> xwinograd(String line, Path file) throws IOException {
        String[] v = line.split("\t", -1);
        if (v.length != 7) {
            throw new IOException(file + ": xwinograd row with " + v.length + " fields, expected 7: " + line);
        }
        String raw = v[3];
        JsonNode tokens = JSON.readTree(v[4]);
        JsonNode pronoun = JSON.readTree(v[5]);
        JsonNode candidates = JSON.readTree(v[6]);
        // character offsets of the tokens in the raw text (PTB quotes `` and '' stand for ")
        int[] starts = new int[tokens.size()];
        int[] ends = new int[tokens.size()];
        int pos = 0;
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i).asText();
            int at = raw.indexOf(t, pos);
            if ((t.equals("``") || t.equals("''")) && (at < 0 || !raw.substring(pos, at).isBlank())) {
                t = "\"";
                at = raw.indexOf(t, pos);
            }
            if (at < 0 || !raw.substring(pos, at).isBlank()) {
                throw new IOException(file + ": token '" + t + "' not found in order in: " + raw);
            }
            starts[i] = at;
            ends[i] = at + t.length();
            pos = ends[i];
        }
        int from = pronoun.get(1).get(0).asInt();
        int to = pronoun.get(1).get(1).asInt();
        String sentence = raw.substring(0, starts[from]) + "_" + raw.substring(ends[to - 1]);
        if (candidates.size() != 2) {
            throw new IOException(file + ": xwinograd row with " + candidates.size() + " candidates: " + line);
        }
        Map<String, String> doc = new LinkedHashMap<>();
        doc.put("lang", v[0]);
        doc.put("sentence", sentence);
        doc.put("option1", candidates.get(0).get(0).asText());
        doc.put("option2", candidates.get(1).get(0).asText());
        doc.put("answer", candidates.get(0).get(3).asBoolean() ? "1" : "2");
        return doc;
    }
}
