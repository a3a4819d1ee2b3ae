package io.lmforge.training.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenMpWaitPolicyTest {
    @Test
    void passiveInAnyCaseNeedsNoAdvice() {
        assertTrue(OpenMpWaitPolicy.advice("PASSIVE").isEmpty());
        assertTrue(OpenMpWaitPolicy.advice(" passive ").isEmpty());
    }

    @Test
    void unsetOrActiveIsExplainedWithTheFix() {
        String unset = OpenMpWaitPolicy.advice(null).orElseThrow();
        assertTrue(unset.contains("OMP_WAIT_POLICY is unset"), unset);
        assertTrue(unset.contains("OMP_WAIT_POLICY=PASSIVE spark-submit"), unset);
        String active = OpenMpWaitPolicy.advice("ACTIVE").orElseThrow();
        assertTrue(active.contains("'ACTIVE'"), active);
    }

    @Test
    void onlyLocalMastersTrainInTheDriver() {
        assertTrue(OpenMpWaitPolicy.driverTrains("local[2]"));
        assertTrue(OpenMpWaitPolicy.driverTrains("local"));
        assertFalse(OpenMpWaitPolicy.driverTrains("local-cluster[2,1,1024]"));
        assertFalse(OpenMpWaitPolicy.driverTrains("spark://host:7077"));
        assertFalse(OpenMpWaitPolicy.driverTrains("yarn"));
    }

    @Test
    void theTestJvmRunsAsTheLaunchersDo() {
        // surefire sets it like bin/pipeline, so tests train at the speed users get
        assertEquals("PASSIVE", System.getenv(OpenMpWaitPolicy.ENV));
    }
}
