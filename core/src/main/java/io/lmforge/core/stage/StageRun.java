package io.lmforge.core.stage;

import io.lmforge.core.config.PipelineConfig;
import io.lmforge.core.dataset.DatasetLayout;
import io.lmforge.core.progress.ProgressReporter;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a stage's computation works with: its context (Spark, the config as its declaration allows,
 * the layout, the chunk), its plan's payload, and staged paths for its outputs. It never touches a
 * final output path; the runner publishes what it staged.
 */
public final class StageRun<P> {
    /** A step that must happen only once the outputs are committed (e.g. moving a pointer to them). */
    public interface AfterCommit {
        void run() throws IOException;
    }

    private final StageContext ctx;
    private final StagePlan<P> plan;
    private final Publication publication;
    private final String runId;
    private final String label;
    private final Map<String, Double> phases = new LinkedHashMap<>();
    private final List<AfterCommit> afterCommit = new ArrayList<>();
    private String phase;
    private long phaseStart;

    StageRun(StageContext ctx, StagePlan<P> plan, Publication publication, String runId, String label) {
        this.ctx = ctx;
        this.plan = plan;
        this.publication = publication;
        this.runId = runId;
        this.label = label;
    }

    public StageContext ctx() {
        return ctx;
    }

    public SparkSession spark() {
        return ctx.spark();
    }

    public PipelineConfig config() {
        return ctx.config();
    }

    public DatasetLayout layout() {
        return ctx.layout();
    }

    public FileSystem fs() {
        return ctx.layout().fs(ctx.spark().sparkContext().hadoopConfiguration());
    }

    public String chunk() {
        return ctx.chunk();
    }

    public PrintStream console() {
        return ctx.console();
    }

    public P payload() {
        return plan.payload();
    }

    public String runId() {
        return runId;
    }

    /** The input entries of the manifest, in declaration order (a stage may add what it learns, e.g. records per file). */
    public List<Map<String, Object>> inputs() {
        return plan.inputs();
    }

    /** Where to write the output declared as {@code label}; the directory does not exist yet. */
    public Path staged(String label) {
        List<StagePlan.Output> outputs = plan.outputs();
        for (int i = 0; i < outputs.size(); i++) {
            if (outputs.get(i).label().equals(label)) {
                return publication.stagedPath(outputs.get(i), i);
            }
        }
        throw new IllegalArgumentException("no output named " + label);
    }

    /** The final path of an output (where readers will find it once committed). */
    public Path output(String label) {
        return plan.output(label).finalPath();
    }

    /** A private working directory of this run (removed with its staging), e.g. for DL4J's exported minibatches. */
    public Path scratch(String name) throws IOException {
        return publication.scratch(name);
    }

    /** Names the final path of an output only the computation can name (a content-addressed version). */
    public void decideOutput(String label, Path finalPath) throws IOException {
        StagePlan.Output o = plan.output(label);
        o.decide(finalPath);
        publication.checkReplaceable(o);
    }

    public void afterCommit(AfterCommit step) {
        afterCommit.add(step);
    }

    /** Starts a named phase: its duration goes into the manifest's timings. */
    public void phase(String name) {
        endPhase();
        phase = name;
        phaseStart = System.nanoTime();
    }

    void endPhase() {
        if (phase != null) {
            phases.merge(phase, (System.nanoTime() - phaseStart) / 1e9, Double::sum);
            phase = null;
        }
    }

    Map<String, Double> phases() {
        return phases;
    }

    List<AfterCommit> afterCommitSteps() {
        return afterCommit;
    }

    /** Progress lines ("[stage chunk] elapsed | phase | counters | tasks") every pipeline.progress-interval-s. */
    public ProgressReporter progress(Supplier<String> counters) {
        return ProgressReporter.start(ctx.console(), label, ctx.config().getInt("pipeline.progress-interval-s"), ctx.spark().sparkContext(),
                () -> (phase == null ? "" : phase + " | ") + counters.get());
    }
}
