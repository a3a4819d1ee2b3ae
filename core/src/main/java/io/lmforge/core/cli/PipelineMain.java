package io.lmforge.core.cli;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.config.ConfigError;
import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.spark.SparkSessions;
import io.lmforge.core.stage.Stage;
import io.lmforge.core.stage.StageContext;
import io.lmforge.core.stage.StageRegistry;
import io.lmforge.core.stage.StageResult;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The one entry point: `bin/pipeline STAGE ...` and
 * `spark-submit --class io.lmforge.core.cli.PipelineMain pipeline.jar STAGE ...` do the same thing.
 * Exit status: 0 done (or up to date), 1 the job failed, 2 bad arguments or configuration.
 */
public final class PipelineMain {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    private PipelineMain() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err, true);
        System.exit(status);
    }

    /**
     * Runs one invocation. {@code stopSpark} is false in tests, which share one SparkSession.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, boolean stopSpark) {
        StageRegistry registry = new StageRegistry();
        CliArgs cli;
        try {
            cli = CliArgs.parse(args);
        } catch (ConfigError e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        }
        if (cli.stage() == null) {
            printUsage(out, registry);
            return cli.help() ? OK : USAGE;
        }
        Stage stage = registry.get(cli.stage());
        if (stage == null) {
            err.println("error: unknown stage '" + cli.stage() + "' (stages: " + String.join(", ", names(registry)) + ")");
            return USAGE;
        }
        if (cli.help()) {
            printStageHelp(out, stage);
            return OK;
        }
        SparkSession spark = null;
        boolean created = false;
        try {
            List<String> sets = new ArrayList<>();
            if (cli.root() != null) {
                // a HOCON string: backslashes escaped first, or a root such as C:\data or a\b would be mangled
                sets.add("pipeline.root=\"" + cli.root().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
            }
            sets.addAll(cli.sets());
            PipelineConfig config = PipelineConfig.load(cli.conf(), sets);
            io.lmforge.core.dataset.NioLocalFileSystem.installFor(System.getProperty("spark.master", config.getString("pipeline.spark.master")));
            String chunk = cli.chunk() == null ? null : DatasetLayout.checkChunkId(cli.chunk());
            if (stage.needsChunk() && chunk == null) {
                throw new ConfigError(stage.name() + " needs --chunk ID (the arrival chunk to process, e.g. 0001)");
            }
            String root = config.getString("pipeline.root");
            if (root.isBlank() && "demo".equals(stage.name())) {
                root = config.getString("demo.root");
            }
            DatasetLayout layout = root.isBlank() && !stage.needsRoot() ? null : new DatasetLayout(root);
            preflight(stage, config, layout, root, chunk);
            if (stage.needsSpark()) {
                created = !SparkSession.getActiveSession().isDefined() && !SparkSession.getDefaultSession().isDefined();
                spark = SparkSessions.getOrCreate(config, "lmforge " + stage.name() + (chunk == null ? "" : " " + chunk));
            }
            out.println("lmforge " + BuildInfo.codeVersion() + " | stage " + stage.name() + (chunk == null ? "" : " | chunk " + chunk)
                    + (layout == null ? "" : " | root " + layout) + (spark == null ? "" : " | spark " + spark.sparkContext().master()));
            StageResult result = stage.run(new StageContext(spark, config, layout, chunk, cli.force(), out, registry, cli.dryRun()));
            out.println(result.stage() + (result.chunk() == null ? "" : " " + result.chunk()) + ": "
                    + result.outcome().label() + (result.detail() == null ? "" : " (" + result.detail() + ")"));
            return OK;
        } catch (ConfigError e) {
            err.println("error: " + e.getMessage());
            return USAGE;
        } catch (io.lmforge.core.commit.LockedException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        } catch (Exception e) {
            err.println("error: stage " + stage.name() + " failed: " + rootMessage(e));
            e.printStackTrace(err);
            return FAILED;
        } finally {
            if (stopSpark && created && spark != null) {
                spark.stop();
            }
        }
    }

    /** What can be checked before Spark starts: the root exists where the stage reads it; the stage's own checks. */
    private static void preflight(Stage stage, PipelineConfig config, DatasetLayout layout, String root, String chunk) throws Exception {
        if (stage.readsRoot()) {
            if (root.isBlank()) {
                throw new ConfigError(stage.name() + " needs the pipeline root: pass --root DIR (or set pipeline.root)");
            }
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(root);
            if (!p.getFileSystem(new org.apache.hadoop.conf.Configuration()).exists(p)) {
                throw new ConfigError("--root " + root + " does not exist: " + stage.name() + " reads what earlier stages wrote there "
                        + "(check the path, or run ingest first)");
            }
        }
        stage.preflight(config, layout, chunk);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof ConfigError) {
                break;
            }
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static List<String> names(StageRegistry registry) {
        List<String> names = new ArrayList<>();
        registry.all().forEach(s -> names.add(s.name()));
        return names;
    }

    static void printUsage(PrintStream out, StageRegistry registry) {
        out.println("usage: bin/pipeline STAGE [--conf FILE] [--root DIR] [--chunk ID] [--set key=value]... [--out DIR] [--force] [--allow-gaps] [--dry-run]");
        out.println("       spark-submit --class " + PipelineMain.class.getName() + " dist/target/pipeline.jar STAGE ...");
        out.println();
        out.println("stages:");
        for (Stage s : registry.all()) {
            out.printf("  %-16s %s%n", s.name(), s.summary());
        }
        out.println();
        out.println("bin/pipeline daemon start|status|stop");
        out.println("                   one warm JVM and Spark application that runs the bin/pipeline commands of this directory");
        out.println("                   (no JVM or Spark start-up per command; docs/daemon.md; LMFORGE_DAEMON=off runs without it)");
        out.println();
        out.println("options:");
        out.println("  --conf FILE        HOCON file overriding conf/reference.conf");
        out.println("  --root DIR         dataset root (pipeline.root): local path or Hadoop URI");
        out.println("  --chunk ID         arrival chunk to process, e.g. 0001 or 2026-11-22");
        out.println("  --set key=value    override one config key (repeatable; HOCON values, e.g. --set ingest.input.paths=[a,b])");
        out.println("  --out DIR          output directory of export-hf (= --set export.out=DIR)");
        out.println("  --force            recompute even when the outputs are up to date");
        out.println("  --dry-run          say what would run and why (up to date, inputs, config or code changed); run nothing");
        out.println("  --allow-gaps       dedup/mix/train: process the chunk although an earlier chunk's same stage is not committed");
        out.println("  --compare RUN      report: put another run beside this one (repeatable; = --set report.compare=[RUN, ...])");
        out.println("  --help             this text; STAGE --help for a stage's details");
    }

    static void printStageHelp(PrintStream out, Stage s) {
        out.println("bin/pipeline " + s.name() + (s.needsChunk() ? " --chunk ID" : "") + " [--conf FILE] [--root DIR] [--set key=value]... [--force]");
        out.println();
        out.println(s.summary());
        out.println();
        out.println(s.help());
    }
}
