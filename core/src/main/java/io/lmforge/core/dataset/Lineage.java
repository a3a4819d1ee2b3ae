package io.lmforge.core.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Facts about a committed dataset that later stages rely on, typed (they used to be untyped keys of
 * `counts`): the chunk's arrival number, the tokenizer version its tokens use, the packed sequence
 * length. Null where a stage does not know or need one.
 *
 * @param seq              arrival number of the chunk (dedup assigns it; {@link ChunkRegistry})
 * @param tokenizerVersion tokenizer/&lt;version&gt;/ that encoded the data or trained the model
 * @param seqLen           tokens per training sequence (without the shifted target)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Lineage(@JsonProperty("seq") Long seq,
                      @JsonProperty("tokenizer_version") String tokenizerVersion,
                      @JsonProperty("seq_len") Integer seqLen) {
    public static final Lineage NONE = new Lineage(null, null, null);

    public static Lineage ofSeq(long seq) {
        return new Lineage(seq, null, null);
    }

    public Lineage withSeq(long s) {
        return new Lineage(s, tokenizerVersion, seqLen);
    }

    public Lineage withTokenizer(String version) {
        return new Lineage(seq, version, seqLen);
    }

    public Lineage withSeqLen(int len) {
        return new Lineage(seq, tokenizerVersion, len);
    }

    /** The arrival number, for datasets that must carry one. */
    public long requireSeq(String what) {
        if (seq == null) {
            throw new IllegalStateException(what + " has no arrival number in its manifest's lineage");
        }
        return seq;
    }

    public String requireTokenizer(String what) {
        if (tokenizerVersion == null) {
            throw new IllegalStateException(what + " has no tokenizer version in its manifest's lineage");
        }
        return tokenizerVersion;
    }
}
