package io.lmforge.training.model;

/**
 * Parameter names of {@link Gpt2Layer}, without '_' (DL4J splits gradient keys on the last '_'),
 * and their mapping to Hugging Face GPT-2 names for export.
 */
public record Gpt2Params(int layer) {
    public static final String WTE = "wte";
    public static final String WPE = "wpe";
    public static final String LNF_G = "lnfg";
    public static final String LNF_B = "lnfb";

    private String p(String s) {
        return "h" + layer + s;
    }

    public String ln1g() { return p("ln1g"); }
    public String ln1b() { return p("ln1b"); }
    public String qkvW() { return p("qkvw"); }
    public String qkvB() { return p("qkvb"); }
    public String projW() { return p("projw"); }
    public String projB() { return p("projb"); }
    public String ln2g() { return p("ln2g"); }
    public String ln2b() { return p("ln2b"); }
    public String fcW() { return p("fcw"); }
    public String fcB() { return p("fcb"); }
    public String fc2W() { return p("fc2w"); }
    public String fc2B() { return p("fc2b"); }

    static boolean isLayerNormGain(String name) {
        return name.endsWith("ln1g") || name.endsWith("ln2g") || name.equals(LNF_G);
    }

    static boolean isBias(String name) {
        return name.endsWith("b") && !name.equals(WTE) && !name.equals(WPE);
    }

    static boolean isResidualProjection(String name) {
        return name.endsWith("projw") || name.endsWith("fc2w");
    }
}
