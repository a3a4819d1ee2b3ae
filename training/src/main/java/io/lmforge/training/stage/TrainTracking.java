package io.lmforge.training.stage;

import io.lmforge.core.BuildInfo;
import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.tracking.MlflowTracking;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.mlflow.api.proto.Service.Metric;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** After a train commit: the chunk's MLflow run gets the train.* parameters, every round's metrics and the checkpoint's path. */
final class TrainTracking {
    private TrainTracking() {
    }

    /** Registers the logging as an after-commit step when tracking.mlflow.uri is set; {@code metrics} rows have the TRAIN_METRICS schema. */
    static void afterCommit(StageRun<?> run, List<Row> metrics) {
        MlflowTracking.of(run.config()).ifPresent(mlflow -> run.afterCommit(() -> MlflowTracking.warnOnFailure(run.console(), "train " + run.chunk(), () -> {
            String runId = mlflow.chunkRun(run.chunk());
            Map<String, String> params = new TreeMap<>();
            run.config().getConfig("train").entrySet().forEach(e -> params.put("train." + e.getKey(), String.valueOf(e.getValue().unwrapped())));
            List<Metric> ms = new ArrayList<>();
            StructType schema = DatasetSchemas.TRAIN_METRICS; // the rows are built positionally, without a schema of their own
            for (Row r : metrics) {
                long step = r.getLong(schema.fieldIndex("step"));
                ms.add(MlflowTracking.metric("train/loss", r.getDouble(schema.fieldIndex("loss")), step));
                ms.add(MlflowTracking.metric("train/lr", r.getDouble(schema.fieldIndex("lr")), step));
                ms.add(MlflowTracking.metric("train/tokens_per_s", r.getDouble(schema.fieldIndex("tokens_per_s")), step));
                ms.add(MlflowTracking.metric("train/tokens_seen", r.getLong(schema.fieldIndex("tokens_seen")), step));
            }
            mlflow.log(runId, params, ms, Map.of("lmforge.checkpoint", run.output("model").toString(), "lmforge.code_version", BuildInfo.codeVersion()));
            mlflow.finish(runId);
            run.console().printf("train %s: logged %d rounds to MLflow (experiment %s, run %s)%n", run.chunk(), metrics.size(), mlflow.experiment(), runId);
        })));
    }
}
