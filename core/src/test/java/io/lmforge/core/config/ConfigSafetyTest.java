package io.lmforge.core.config;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration that would reach outside the process, or that makes no sense, fails when it loads: one line naming it. */
class ConfigSafetyTest {

    @Test
    void includeOfAUrlIsRefusedWithoutARequest(@TempDir Path dir) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = "train.model.layers = 7\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Path conf = dir.resolve("user.conf");
            Files.writeString(conf, "include url(\"http://127.0.0.1:" + server.getAddress().getPort() + "/evil.conf\")\n");
            ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(conf.toFile(), List.of()));
            assertTrue(e.getMessage().contains("include url(") && e.getMessage().contains("not allowed"), e.getMessage());
            assertEquals(0, requests.get(), "the config loader must not fetch the URL");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void includeOfAFileOrClasspathResourceIsRefused(@TempDir Path dir) throws Exception {
        Path other = dir.resolve("other.conf");
        Files.writeString(other, "train.model.layers = 7\n");
        for (String include : List.of("include file(\"" + other + "\")", "include \"" + other + "\"", "include classpath(\"lmforge/reference.conf\")")) {
            Path conf = dir.resolve("user.conf");
            Files.writeString(conf, include + "\n");
            ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(conf.toFile(), List.of()), include);
            assertTrue(e.getMessage().contains("not allowed"), e.getMessage());
        }
    }

    @Test
    void environmentVariablesAreNotSubstituted(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("user.conf");
        Files.writeString(conf, "pipeline.root = ${?HOME}\n"); // HOME is set in every test JVM
        assertFalse(System.getenv("HOME") == null);
        assertEquals("", PipelineConfig.load(conf.toFile(), List.of()).getString("pipeline.root"), "an optional substitution from the environment stays unset");
        Files.writeString(conf, "pipeline.root = ${HOME}\n");
        ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(conf.toFile(), List.of()));
        assertTrue(e.getMessage().contains("HOME"), e.getMessage());
    }

    @Test
    void numbersOutsideTheirRangeAreRefused() {
        ConfigError layers = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.model.layers=-3")));
        assertEquals("config key 'train.model.layers' must be an integer >= 1, got -3", layers.getMessage());
        ConfigError frac = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("mix.heldout-fraction=1.5")));
        assertTrue(frac.getMessage().contains("'mix.heldout-fraction' must be a number in [0, 1]"), frac.getMessage());
        ConfigError beta = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.optimizer.beta2=1")));
        assertTrue(beta.getMessage().contains("[0, 1)"), beta.getMessage());
        ConfigError heads = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.model.d-model=100", "train.model.heads=3")));
        assertTrue(heads.getMessage().contains("heads must divide the width"), heads.getMessage());
        ConfigError half = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.workers=1.5")));
        assertTrue(half.getMessage().contains("an integer"), half.getMessage());
        PipelineConfig ok = PipelineConfig.load(null, List.of("train.model.d-model=96", "train.model.heads=3", "mix.heldout-fraction=0"));
        assertEquals(96, ok.getInt("train.model.d-model"));
        // Population Based Training's lists: priors [lo, hi] (or [] = not searched), positive factors
        ConfigError lr = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.pbt.hyperparameters.learning-rate=[0, 1e-3]")));
        assertTrue(lr.getMessage().contains("'train.pbt.hyperparameters.learning-rate' must be [] (not searched) or [lo, hi]"), lr.getMessage());
        ConfigError wd = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.pbt.hyperparameters.weight-decay=[0.2, 0.1]")));
        assertTrue(wd.getMessage().contains("weight-decay"), wd.getMessage());
        ConfigError factors = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.pbt.factors=[0.8, -1]")));
        assertTrue(factors.getMessage().contains("'train.pbt.factors' must be a non-empty list of positive numbers"), factors.getMessage());
        assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.pbt.population=0")));
        assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.pbt.hyperparameters.momentum=[0.8, 0.9]")), "unknown key");
        assertEquals(List.of(), PipelineConfig.load(null, List.of("train.pbt.hyperparameters.weight-decay=[]")).raw()
                .getDoubleList("train.pbt.hyperparameters.weight-decay"));
    }

    @Test
    void sparkSettingsThatLoadCodeOrChangeTheJvmAreRefused() {
        for (String key : List.of("spark.executor.extraJavaOptions", "spark.driver.extraClassPath", "spark.plugins", "spark.jars",
                "spark.jars.packages", "spark.extraListeners", "spark.executorEnv.LD_PRELOAD")) {
            ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("pipeline.spark.conf.\"" + key + "\"=x")), key);
            assertTrue(e.getMessage().contains("'" + key + "' is not on the allow-list") && e.getMessage().contains("spark-submit --conf"),
                    e.getMessage());
        }
        ConfigError nested = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("pipeline.spark.conf.spark.plugins=x")));
        assertTrue(nested.getMessage().contains("'spark.plugins'"), nested.getMessage());
        PipelineConfig ok = PipelineConfig.load(null, List.of("pipeline.spark.conf.\"spark.executor.memory\"=4g",
                "pipeline.spark.conf.\"spark.sql.adaptive.enabled\"=true", "pipeline.spark.conf.\"spark.executorEnv.OMP_WAIT_POLICY\"=ACTIVE"));
        assertEquals("4g", ok.raw().getConfig("pipeline.spark.conf").getString("\"spark.executor.memory\""));
    }

    @Test
    void namesOutsideTheirSetAreRefusedWhenTheConfigLoads() {
        ConfigError e = assertThrows(ConfigError.class, () -> PipelineConfig.load(null, List.of("train.optimizer.kind=adam")));
        assertEquals("config key 'train.optimizer.kind' must be one of adamw|schedule-free-adamw, got 'adam'", e.getMessage());
        assertEquals("schedule-free-adamw", PipelineConfig.load(null, List.of("train.optimizer.kind=Schedule-Free-AdamW")).getEnum("train.optimizer.kind"));
        PipelineConfig reference = PipelineConfig.load(null, List.of());
        for (var entry : ConfigEnums.all().entrySet()) {
            assertTrue(reference.raw().hasPath(entry.getKey()), "ConfigEnums names a key the reference does not have: " + entry.getKey());
            assertTrue(entry.getValue().contains(reference.getEnum(entry.getKey())), "the reference default of " + entry.getKey() + " is allowed");
        }
    }

    @Test
    void everyRangedKeyIsInTheReference() {
        PipelineConfig reference = PipelineConfig.load(null, List.of());
        for (String key : ConfigRanges.keys()) {
            assertTrue(reference.raw().hasPath(key), "ConfigRanges names a key the reference does not have: " + key);
        }
    }
}
