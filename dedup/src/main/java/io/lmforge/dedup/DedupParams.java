package io.lmforge.dedup;

import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.dedup.shingle.Shingler;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/** dedup.* settings; {@link #indexParams()} are the ones the persisted index depends on. */
public record DedupParams(boolean exact, boolean line, int lineMaxRepeats, int minLineChars, int minDocChars,
                          boolean fuzzy, Shingler.Kind shingle, int ngramSize, int bands, int rows, long seed,
                          boolean verify, double threshold, int maxIterations, int localComponentsMaxEdges, int filesPerLang) implements Serializable {

    /** Version of how signatures, band keys and hashes are computed: bump when that code changes. */
    public static final String SCHEME = "shingles:xxh3-64/nfkc-casefold; minhash:(a*x+b) mod 2^61-1; bands:xxh3-64; exact:xxh3-128; lines:xxh3-64";

    public static DedupParams from(PipelineConfig c) {
        DedupParams p = new DedupParams(c.getBoolean("dedup.exact.enabled"), c.getBoolean("dedup.line.enabled"),
                c.getInt("dedup.line.max-repeats"), c.getInt("dedup.line.min-line-chars"), c.getInt("dedup.line.min-doc-chars"),
                c.getBoolean("dedup.fuzzy.enabled"), Shingler.kind(c.getString("dedup.fuzzy.shingle")), c.getInt("dedup.fuzzy.ngram-size"),
                c.getInt("dedup.fuzzy.bands"), c.getInt("dedup.fuzzy.rows"), c.getLong("dedup.fuzzy.seed"),
                c.getBoolean("dedup.fuzzy.verify"), c.getDouble("dedup.fuzzy.threshold"), c.getInt("dedup.fuzzy.max-iterations"),
                c.getInt("dedup.fuzzy.local-components-max-edges"),
                c.getInt("dedup.output.files-per-lang"));
        if (p.bands < 1 || p.rows < 1) {
            throw new ConfigError("config keys 'dedup.fuzzy.bands' and 'dedup.fuzzy.rows' must be at least 1, got " + p.bands + " x " + p.rows);
        }
        if (p.threshold < 0 || p.threshold > 1) {
            throw new ConfigError("config key 'dedup.fuzzy.threshold' must be between 0 and 1, got " + p.threshold);
        }
        if (p.localComponentsMaxEdges < 0) {
            throw new ConfigError("config key 'dedup.fuzzy.local-components-max-edges' must be 0 (always distributed) or more, got "
                    + p.localComponentsMaxEdges);
        }
        if (p.lineMaxRepeats < 1) {
            throw new ConfigError("config key 'dedup.line.max-repeats' must be at least 1, got " + p.lineMaxRepeats);
        }
        return p;
    }

    public int permutations() {
        return bands * rows;
    }

    /** What an index was built with; a run with other values against it is refused. */
    public Map<String, Object> indexParams() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shingle", shingle.name().toLowerCase(java.util.Locale.ROOT));
        m.put("ngram_size", ngramSize);
        m.put("bands", bands);
        m.put("rows", rows);
        m.put("seed", seed);
        m.put("scheme", SCHEME);
        return m;
    }
}
