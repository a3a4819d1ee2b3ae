package io.lmforge.tokenize.encode;

import java.io.Serializable;

/**
 * One encoded document as a Java bean: Spark's bean encoder writes the int[] straight into an
 * UnsafeArrayData (no boxed Integer per token), and reads it back the same way.
 */
public class TokenizedDoc implements Serializable {
    private static final long serialVersionUID = 1L;
    private String docId;
    private String lang;
    private int nBytes;
    private int nTokens;
    private int[] tokens;

    public TokenizedDoc() {
    }

    public TokenizedDoc(String docId, String lang, int nBytes, int[] tokens) {
        this.docId = docId;
        this.lang = lang;
        this.nBytes = nBytes;
        this.nTokens = tokens.length;
        this.tokens = tokens;
    }

    public String getDocId() { return docId; }
    public void setDocId(String v) { docId = v; }
    public String getLang() { return lang; }
    public void setLang(String v) { lang = v; }
    public int getNBytes() { return nBytes; }
    public void setNBytes(int v) { nBytes = v; }
    public int getNTokens() { return nTokens; }
    public void setNTokens(int v) { nTokens = v; }
    public int[] getTokens() { return tokens; }
    public void setTokens(int[] v) { tokens = v; }
}
