package io.lmforge.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.dataset.HadoopFiles;
import io.lmforge.core.dataset.Manifest;
import io.lmforge.core.dataset.Manifests;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the curation half did to each evaluated chunk, from the stages' manifests and mixture.json: records
 * read, kept and rejected (top reasons), duplicates removed by kind, and tokens per language before and after
 * the mix's balancing (XGLM temperature sampling, caps, replay).
 */
final class CorpusSection {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOP_LANGUAGES = 20;

    private CorpusSection() {
    }

    static void write(ReportDocument doc, FileSystem fs, DatasetLayout layout, List<String> chunks, java.nio.file.Path dir) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        JsonNode latestMix = null;
        String latestChunk = null;
        for (String c : chunks) {
            Manifest ingest = Manifests.read(fs, layout.docs(c));
            Manifest dedup = Manifests.read(fs, layout.dedupDocs(c));
            Path mixture = new Path(layout.mix(c), "mixture.json");
            if (ingest == null || dedup == null || !fs.exists(mixture)) {
                continue; // "initial", or a chunk curated under another root
            }
            JsonNode mix = JSON.readTree(HadoopFiles.readString(fs, mixture));
            rows.add(List.of(c, n(ingest.count("records_in")), n(ingest.count("kept")), n(ingest.count("rejected")), topReasons(ingest),
                    n(dedup.count("removed", "exact")) + " / " + n(dedup.count("removed", "fuzzy")) + " / " + n(dedup.count("removed", "line")),
                    String.valueOf(mix.path("languages").size()), n(sum(mix, "tokens")), n(sum(mix, "sampled_tokens") + sum(mix, "replay_tokens"))));
            latestMix = mix;
            latestChunk = c;
        }
        if (rows.isEmpty()) {
            return;
        }
        doc.heading("Corpus");
        doc.table(List.of("chunk", "records read", "kept", "rejected", "top rejection reasons", "duplicates exact / fuzzy / line", "languages",
                "tokens (curated)", "tokens (after balancing)"), rows);
        balance(doc, latestMix, latestChunk, dir);
    }

    /** The latest chunk's largest languages: their share of the tokens before and after balancing. */
    private static void balance(ReportDocument doc, JsonNode mix, String chunk, java.nio.file.Path dir) throws IOException {
        List<Map.Entry<String, JsonNode>> langs = new ArrayList<>();
        mix.path("languages").fields().forEachRemaining(langs::add);
        langs.sort(Comparator.comparingDouble((Map.Entry<String, JsonNode> e) -> -e.getValue().path("tokens").asDouble()).thenComparing(Map.Entry::getKey));
        double before = sum(mix, "tokens");
        double after = sum(mix, "sampled_tokens") + sum(mix, "replay_tokens");
        Map<String, Double> natural = new LinkedHashMap<>();
        Map<String, Double> balanced = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : langs.subList(0, Math.min(TOP_LANGUAGES, langs.size()))) {
            JsonNode l = e.getValue();
            natural.put(e.getKey(), before == 0 ? 0 : l.path("tokens").asDouble() / before);
            balanced.put(e.getKey(), after == 0 ? 0 : (l.path("sampled_tokens").asDouble() + l.path("replay_tokens").asDouble()) / after);
        }
        Map<String, Map<String, Double>> series = new LinkedHashMap<>();
        series.put("curated (natural share)", natural);
        series.put("after balancing (trained share)", balanced);
        Charts.bars(dir.resolve("corpus_balance.png"), "Share of tokens by language, chunk " + chunk, "share of tokens", series, 720);
        doc.image("corpus_balance.png", "token share by language before and after balancing");
        doc.paragraph(String.format(Locale.ROOT, "The %d languages with the most curated tokens in chunk %s (of %d): temperature sampling "
                + "(mix.alpha) moves share from the large languages to the small ones, within mix.max-repeats.", natural.size(), chunk, langs.size()));
    }

    private static String topReasons(Manifest ingest) {
        Object byReason = ingest.counts().get("by_reason");
        if (!(byReason instanceof Map<?, ?> m)) {
            return "";
        }
        return m.entrySet().stream().sorted((a, b) -> Long.compare(((Number) b.getValue()).longValue(), ((Number) a.getValue()).longValue()))
                .limit(3).map(e -> e.getKey() + " " + n(((Number) e.getValue()).longValue())).reduce((a, b) -> a + ", " + b).orElse("");
    }

    private static long sum(JsonNode mix, String field) {
        long s = 0;
        for (JsonNode l : mix.path("languages")) {
            s += l.path(field).asLong();
        }
        return s;
    }

    private static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
