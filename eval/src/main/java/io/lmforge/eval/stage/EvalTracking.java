package io.lmforge.eval.stage;

import io.lmforge.core.dataset.DatasetSchemas;
import io.lmforge.core.stage.StageRun;
import io.lmforge.core.tracking.MlflowTracking;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.mlflow.api.proto.Service.Metric;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** After an eval commit: the chunk's MLflow run gets the anytime rows as metrics (step = the model's optimizer step). */
final class EvalTracking {
    private EvalTracking() {
    }

    /** {@code anytime} rows have the ANYTIME schema: bits per byte per language (and its baselines), accuracies per task, language and k. */
    static void afterCommit(StageRun<?> run, List<Row> anytime) {
        MlflowTracking.of(run.config()).ifPresent(mlflow -> run.afterCommit(() -> MlflowTracking.warnOnFailure(run.console(), "eval " + run.chunk(), () -> {
            List<Metric> ms = new ArrayList<>();
            double bpbSum = 0;
            int bpbLangs = 0;
            long step = 0;
            StructType schema = DatasetSchemas.ANYTIME; // the rows are built positionally, without a schema of their own
            for (Row r : anytime) {
                step = r.getLong(schema.fieldIndex("step"));
                String metric = r.getString(schema.fieldIndex("metric"));
                String lang = r.getString(schema.fieldIndex("lang"));
                double value = r.getDouble(schema.fieldIndex("value"));
                String key = r.isNullAt(schema.fieldIndex("k")) ? "eval/" + metric + "/" + lang
                        : "eval/" + metric + "/" + r.getString(schema.fieldIndex("task")) + "/" + lang + "/" + r.getInt(schema.fieldIndex("k")) + "-shot";
                ms.add(MlflowTracking.metric(key, value, step));
                if (metric.equals("bpb")) {
                    bpbSum += value;
                    bpbLangs++;
                }
            }
            if (bpbLangs > 0) {
                ms.add(MlflowTracking.metric("eval/bpb_mean", bpbSum / bpbLangs, step));
            }
            String runId = mlflow.chunkRun(run.chunk());
            mlflow.log(runId, Map.of(), ms, Map.of("lmforge.eval", run.output("eval").toString()));
            run.console().printf("eval %s: logged %d metrics to MLflow (experiment %s, run %s)%n", run.chunk(), ms.size(), mlflow.experiment(), runId);
        })));
    }
}
