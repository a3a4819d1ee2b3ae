package io.lmforge.core.spark;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline daemon interrupts a run whose client went away; when that run was replacing the Spark
 * application (its settings differ), an interrupt inside SparkContext.stop() or the new context's
 * start left a stopped context registered as the active one, and every later command failed
 * ("Cannot call methods on a stopped SparkContext"). Reproduced deterministically: the interrupt is
 * set before the replacement starts.
 */
class SparkSessionsRestartTest {
    @Test
    void anInterruptDuringTheReplacementLeavesALiveSessionForTheNextCommand() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-XX:+IgnoreUnrecognized")) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), SparkRestartProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        String line = out.lines().filter(l -> l.startsWith("PROBE ")).findFirst().orElse("(no PROBE line)\n" + out);
        assertEquals("PROBE replaced master=local[2] | interrupt kept=true | active stopped=false | count=5", line, out);
        assertEquals(0, p.exitValue(), out);
    }
}
