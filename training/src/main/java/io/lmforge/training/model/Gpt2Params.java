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
    // NormFormer (see Architecture)
    public String attnLnG() { return p("lnattg"); }
    public String attnLnB() { return p("lnattb"); }
    public String headScale() { return p("headscale"); }
    public String ffnLnG() { return p("lnffg"); }
    public String ffnLnB() { return p("lnffb"); }
    public String residualScale() { return p("resscale"); }
    // Mixture-of-Experts feed-forward (see Moe): the gate and E experts' two layers, stacked
    public String gateW() { return p("gatew"); }
    public String expertFcW() { return p("efcw"); }
    public String expertFcB() { return p("efcb"); }
    public String expertFc2W() { return p("efc2w"); }
    public String expertFc2B() { return p("efc2b"); }

    /** Parameters that start at 1: LayerNorm gains and NormFormer's head and residual scales. */
    static boolean startsAtOne(String name) {
        return name.endsWith("ln1g") || name.endsWith("ln2g") || name.equals(LNF_G) || name.endsWith("lnattg") || name.endsWith("lnffg")
                || name.endsWith("headscale") || name.endsWith("resscale");
    }

    static boolean isBias(String name) {
        return name.endsWith("b") && !name.equals(WTE) && !name.equals(WPE);
    }

    static boolean isResidualProjection(String name) {
        return name.endsWith("projw") || name.endsWith("fc2w");
    }
}
