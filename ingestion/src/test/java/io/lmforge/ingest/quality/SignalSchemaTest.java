package io.lmforge.ingest.quality;

import io.lmforge.core.dataset.DatasetSchemas;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SignalSchemaTest {
    @Test
    void theSignalsComputedAreTheSchemasColumnsInItsOrder() {
        List<String> computed = Arrays.stream(Signal.values()).map(s -> s.column).toList();
        assertEquals(Arrays.asList(DatasetSchemas.QUALITY_SIGNALS.fieldNames()), computed);
        assertEquals(DatasetSchemas.QUALITY_SIGNALS, Signal.struct().asNullable());
    }
}
