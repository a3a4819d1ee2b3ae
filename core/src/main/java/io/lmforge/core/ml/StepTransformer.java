package io.lmforge.core.ml;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;

/**
 * Base of the pipeline's steps: a Spark ML {@link Transformer} with typed Params, persisted with
 * Spark's DefaultParamsWriter (so a fitted pipeline of steps can be saved and reloaded in a
 * notebook). Subclasses declare their Params as fields with public accessors, because Spark
 * discovers Params by reflection on public zero-argument methods.
 */
public abstract class StepTransformer extends Transformer implements DefaultParamsWritable {
    private final String uid;

    protected StepTransformer(String uid) {
        this.uid = uid;
    }

    protected static String newUid(String prefix) {
        return Identifiable$.MODULE$.randomUID(prefix);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Transformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
