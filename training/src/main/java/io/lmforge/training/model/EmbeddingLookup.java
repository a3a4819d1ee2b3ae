package io.lmforge.training.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.api.ops.impl.shape.Gather;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Embedding lookup, rows {@code table[ids]} (libnd4j's {@code gather} on axis 0), whose gradient
 * for the table is one {@code scatter_add} of the incoming rows at their ids.
 *
 * <p>Why not {@link Gather} as it is: SameDiff M2.1's Gather backward builds a zeros-like table and
 * {@code put}s the gradient rows into it through a sub-graph; here it fails with an assign shape
 * error (an earlier version of this model, where it ran, took ~14 s per step), and a put
 * overwrites rather than sums repeated ids. Why not one-hot × table (what training used before):
 * a [b·T, V] × [V, d] product forward, another for the table's gradient and a third for the
 * unused one-hot gradient, a third of the step's matrix-product FLOPs at vocab 8,192.
 *
 * <p>SameDiff builds the gradient graph from copies of the ops made by serialising them, and the
 * copy's class is looked up by the native op's hash, which maps to {@link Gather}. So this class
 * is registered for that hash (once per JVM, {@link #register()}): every axis-0 gather copied into
 * a gradient graph in this JVM then gets the scatter-add gradient; other axes keep Gather's own.
 */
public final class EmbeddingLookup extends Gather {
    private static volatile boolean registered;

    public EmbeddingLookup() {
        // for SameDiff's copies (Class.newInstance)
    }

    EmbeddingLookup(SameDiff sd, SDVariable table, SDVariable ids) {
        super(sd, table, ids, 0);
    }

    /**
     * Points SameDiff's hash → op-class table for {@code gather} at this class.
     *
     * @throws IllegalStateException when the table is not where ND4J M2.1 keeps it (another ND4J)
     */
    public static synchronized void register() {
        if (registered) {
            return;
        }
        try {
            Field f = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<Long, Class<?>> byHash = (Map<Long, Class<?>>) f.get(DifferentialFunctionClassHolder.getInstance());
            int replaced = 0;
            for (Map.Entry<Long, Class<?>> e : byHash.entrySet()) {
                if (e.getValue() == Gather.class) {
                    e.setValue(EmbeddingLookup.class);
                    replaced++;
                }
            }
            if (replaced != 1) {
                throw new IllegalStateException("expected one gather entry in ND4J's op table, found " + replaced);
            }
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("cannot register the embedding gradient with this ND4J version", e);
        }
        registered = true;
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradient) {
        if (jaxis != 0) {
            return super.doDiff(gradient);
        }
        SDVariable table = arg(0);
        SDVariable ids = arg(1);
        ScatterAdd sum = new ScatterAdd(sameDiff, sameDiff.zerosLike(table), ids, gradient.get(0));
        // lock = true: one thread over the ids; libnd4j's parallel scatter races on repeated ids
        sum.addBArgument(true);
        return Arrays.asList(sum.outputVariable(), sameDiff.zerosLike(ids));
    }
}
