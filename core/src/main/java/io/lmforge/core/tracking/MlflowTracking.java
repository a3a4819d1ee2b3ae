package io.lmforge.core.tracking;

import io.lmforge.core.config.PipelineConfig;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Experiment tracking in MLflow (`tracking.mlflow.uri`, off when empty), through MLflow's Java client:
 * one experiment per training run (`tracking.mlflow.experiment`, default "lmforge/&lt;train.run&gt;"),
 * one MLflow run per chunk ("chunk=ID", tagged lmforge.chunk), into which train logs its parameters,
 * per-round metrics and checkpoint path and eval its metrics, so a chunk's training and evaluation sit
 * side by side in the MLflow UI. Called after a stage's commit: the datasets are the record, MLflow a view.
 */
public final class MlflowTracking {
    public static final String CHUNK_TAG = "lmforge.chunk";
    private static final int BATCH = 900; // MLflow's log-batch takes at most 1,000 metrics per call

    private final MlflowClient client;
    private final String experiment;

    private MlflowTracking(String uri, String experiment) {
        this.client = new MlflowClient(uri);
        this.experiment = experiment;
    }

    /** The tracker the config asks for, or empty when tracking.mlflow.uri is empty. */
    public static Optional<MlflowTracking> of(PipelineConfig c) {
        String uri = c.getString("tracking.mlflow.uri");
        if (uri.isBlank()) {
            return Optional.empty();
        }
        String exp = c.getString("tracking.mlflow.experiment");
        return Optional.of(new MlflowTracking(uri, exp.isBlank() ? "lmforge/" + c.getString("train.run") : exp));
    }

    /** The MLflow run of {@code chunk} in this run's experiment: found by its tag, else created (experiment too). */
    public String chunkRun(String chunk) {
        String experimentId = client.getExperimentByName(experiment).map(Experiment::getExperimentId)
                .orElseGet(() -> client.createExperiment(experiment));
        List<RunInfo> found = client.searchRuns(List.of(experimentId), "tags.`" + CHUNK_TAG + "` = '" + chunk.replace("'", "") + "'");
        if (!found.isEmpty()) {
            return found.get(0).getRunId();
        }
        String runId = client.createRun(org.mlflow.api.proto.Service.CreateRun.newBuilder().setExperimentId(experimentId)
                .setRunName("chunk=" + chunk).setStartTime(System.currentTimeMillis()).build()).getRunId();
        client.setTag(runId, CHUNK_TAG, chunk);
        return runId;
    }

    /** Parameters, metrics and tags, in MLflow's batches. */
    public void log(String runId, Map<String, String> params, List<Metric> metrics, Map<String, String> tags) {
        List<Param> ps = new ArrayList<>();
        params.forEach((k, v) -> ps.add(Param.newBuilder().setKey(k).setValue(v.length() > 500 ? v.substring(0, 500) : v).build()));
        List<RunTag> ts = new ArrayList<>();
        tags.forEach((k, v) -> ts.add(RunTag.newBuilder().setKey(k).setValue(v).build()));
        for (int i = 0; i < Math.max(1, metrics.size()); i += BATCH) {
            client.logBatch(runId, metrics.subList(i, Math.min(metrics.size(), i + BATCH)), i == 0 ? ps : List.of(), i == 0 ? ts : List.of());
        }
    }

    public static Metric metric(String key, double value, long step) {
        return Metric.newBuilder().setKey(key).setValue(value).setStep(step).setTimestamp(System.currentTimeMillis()).build();
    }

    public void finish(String runId) {
        client.setTerminated(runId, org.mlflow.api.proto.Service.RunStatus.FINISHED);
    }

    /**
     * Runs {@code logging}; a failure (server down, rejected value) becomes one warning line, since the stage has
     * committed its outputs already and the datasets, not MLflow, are the record.
     */
    public static void warnOnFailure(java.io.PrintStream console, String what, Runnable logging) {
        try {
            logging.run();
        } catch (RuntimeException e) {
            console.println("warning: " + what + ": logging to MLflow failed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); the outputs are committed, MLflow lacks this run's entries");
        }
    }

    public String experiment() {
        return experiment;
    }
}
