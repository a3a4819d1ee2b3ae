package io.lmforge.training.model;

import java.io.PrintStream;

/**
 * ND4J M2.1's SameDiff prints "Added differentiated op NAME" with System.out.println for every op
 * the first time it builds a gradient graph (about 90 lines per model instance, on every worker).
 * This wraps System.out to drop exactly those lines; everything else passes through unchanged.
 */
public final class SameDiffStdoutFilter extends PrintStream {
    private static final String NOISE = "Added differentiated op ";

    private SameDiffStdoutFilter(PrintStream out) {
        super(out, true);
    }

    public static synchronized void install() {
        if (!(System.out instanceof SameDiffStdoutFilter)) {
            System.setOut(new SameDiffStdoutFilter(System.out));
        }
    }

    @Override
    public void println(String line) {
        if (line == null || !line.startsWith(NOISE)) {
            super.println(line);
        }
    }
}
