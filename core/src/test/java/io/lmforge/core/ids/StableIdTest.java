package io.lmforge.core.ids;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StableIdTest {
    @Test
    void idsAreStableHexAndDependOnKeyAndOffset() {
        String a = StableId.docId("0001/ud.jsonl.gz", 42);
        assertEquals(a, StableId.docId("0001/ud.jsonl.gz", 42));
        assertEquals(32, a.length());
        assertTrue(a.matches("[0-9a-f]{32}"));
        assertNotEquals(a, StableId.docId("0001/ud.jsonl.gz", 43));
        assertNotEquals(a, StableId.docId("0002/ud.jsonl.gz", 42));
        // the separator keeps ("a1", 2) and ("a", 12)-style concatenations apart
        assertNotEquals(StableId.docId("a1", 2), StableId.docId("a", 12));
    }

    @Test
    void fingerprintHashIsStableAndSensitive() {
        assertEquals(StableId.hash("ingest|0001|cfg"), StableId.hash("ingest|0001|cfg"));
        assertNotEquals(StableId.hash("ingest|0001|cfg"), StableId.hash("ingest|0002|cfg"));
        assertTrue(StableId.hash("x").matches("[0-9a-f]{32}"));
    }
}
