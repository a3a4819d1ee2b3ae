package io.lmforge.training.model;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.zip is data: only DL4J's entries for our model, each size-capped, never a Java-serialised object. */
class ModelZipCheckTest {
    /** A class whose deserialisation would run code: the flag says whether anything deserialised it. */
    static final class Trap implements Serializable {
        static volatile boolean triggered;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            triggered = true;
        }
    }

    @Test
    void aModelWeWroteLoadsAndForeignEntriesAreRefusedBeforeDl4jReadsThem(@TempDir java.nio.file.Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        ComputationGraph net = Gpt2Model.create(new Gpt2Model.Spec(32, 8, 16, 2, 1),
                new Gpt2Model.Optimizer(new WarmupCosineSchedule(1e-3, 1, 10, 0.1), 0.9, 0.95, 1e-8, 0.1, 1.0), 1);
        ModelFiles.save(fs, net, new Path(dir.toString()));
        Path good = new Path(dir.toString(), "model.zip");
        assertEquals(net.numParams(), ModelFiles.load(fs, good).numParams());
        byte[] zip = ModelFiles.bytes(fs, good);

        ByteArrayOutputStream trap = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(trap)) {
            o.writeObject(new Trap());
        }
        for (String entry : new String[]{"preprocessor.bin", "normalizer.bin", "objects/x"}) {
            java.nio.file.Path bad = dir.resolve("bad-" + entry.replace('/', '_') + ".zip");
            Files.write(bad, withEntry(zip, entry, trap.toByteArray()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(fs, new Path(bad.toString())));
            assertTrue(e.getMessage().contains("'" + entry + "' is not one lmforge writes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ModelFiles.bytes(fs, new Path(bad.toString())));
        }
        assertFalse(Trap.triggered, "nothing was deserialised");
    }

    @Test
    void aZipBombStopsAtTheCapAndForeignClassesInTheConfigurationAreRefused() throws Exception {
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bomb)) {
            z.putNextEntry(new ZipEntry("configuration.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 17; i++) {
                z.write(spaces); // 17 MB of spaces: a few KB compressed
            }
            z.closeEntry();
        }
        assertTrue(bomb.size() < 100_000, "compressed: " + bomb.size());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> ModelZipCheck.check(bomb.toByteArray(), "bomb.zip"));
        assertTrue(big.getMessage().contains("inflates past its cap"), big.getMessage());

        ByteArrayOutputStream foreign = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(foreign)) {
            z.putNextEntry(new ZipEntry("configuration.json"));
            z.write("{\"vertices\": {\"x\": {\"@class\": \"javax.management.BadAttributeValueExpException\"}}}".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        IllegalArgumentException cls = assertThrows(IllegalArgumentException.class, () -> ModelZipCheck.check(foreign.toByteArray(), "f.zip"));
        assertTrue(cls.getMessage().contains("javax.management.BadAttributeValueExpException"), cls.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelZipCheck.check("not a zip".getBytes(StandardCharsets.UTF_8), "text"));
    }

    private static byte[] withEntry(byte[] zip, String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zip)); ZipOutputStream z = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                z.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(z);
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }
}
