package io.lmforge.dedup.minhash;

import io.lmforge.dedup.shingle.Shingler;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinHashTest {

    /**
     * Two sets of n shingle hashes sharing `common` of them: J = common / (2n - common). Elements are
     * xxh3 hashes, as the Shingler produces: the linear family is only min-wise independent enough
     * on hashed input, not on raw arithmetic progressions.
     */
    static long[][] pair(int n, int common, long salt) {
        var h = com.dynatrace.hash4j.hashing.Hashing.xxh3_64();
        long[] a = LongStream.range(0, n).map(i -> h.hashLongLongToLong(salt, i)).toArray();
        long[] b = LongStream.range(0, n).map(i -> h.hashLongLongToLong(salt, i < common ? i : i + 1_000_000)).toArray();
        return new long[][]{a, b};
    }

    @Test
    void sameSeedSameSignatureAcrossInstances() {
        Shingler s = new Shingler(Shingler.Kind.WORD, 5);
        String text = "Deduplication must give the same signature for the same document on every executor and every run.";
        assertArrayEquals(new MinHasher(112, 1).signature(s.shingles(text)), new MinHasher(112, 1).signature(s.shingles(text)));
        assertTrue(MinHasher.estimatedJaccard(new MinHasher(112, 1).signature(s.shingles(text)),
                new MinHasher(112, 2).signature(s.shingles(text))) < 0.2, "another seed is another family");
    }

    @Test
    void estimatedJaccardIsCloseToTheTruth() {
        MinHasher h = new MinHasher(256, 3);
        double sumErr = 0;
        int n = 0;
        for (int common = 50; common <= 200; common += 30) {
            long[][] p = pair(200, common, common);
            double truth = common / (400.0 - common);
            double est = MinHasher.estimatedJaccard(h.signature(p[0]), h.signature(p[1]));
            sumErr += Math.abs(est - truth);
            n++;
            assertTrue(Math.abs(est - truth) < 0.1, "J=" + truth + " est=" + est);
        }
        assertTrue(sumErr / n < 0.05, "mean error " + sumErr / n);
    }

    @Test
    void bandingCollisionRateFollowsTheSCurve() {
        int bands = 14;
        int rows = 8;
        SplittableRandom seeds = new SplittableRandom(11);
        for (double targetJ : new double[]{0.5, 0.7, 0.8, 0.9}) {
            int n = 300;
            int common = (int) Math.round(2 * n * targetJ / (1 + targetJ));
            double j = common / (2.0 * n - common);
            int trials = 300;
            int collisions = 0;
            for (int t = 0; t < trials; t++) {
                MinHasher h = new MinHasher(bands * rows, seeds.nextLong());
                long[][] p = pair(n, common, t);
                long[] ka = LshBands.keys(h.signature(p[0]), bands, rows);
                long[] kb = LshBands.keys(h.signature(p[1]), bands, rows);
                for (int b = 0; b < bands; b++) {
                    if (ka[b] == kb[b]) {
                        collisions++;
                        break;
                    }
                }
            }
            double expected = LshBands.collisionProbability(j, bands, rows);
            double observed = collisions / (double) trials;
            // binomial standard error at 300 trials is at most 0.029; allow 3.5 of them
            assertTrue(Math.abs(observed - expected) < 0.1, "J=" + j + ": observed " + observed + " expected " + expected);
        }
        assertEquals(0.924, LshBands.collisionProbability(0.8, 14, 8), 0.001, "FineWeb's 14x8 at J=0.8 (datatrove's comment)");
        assertEquals(0.719, LshBands.threshold(14, 8), 0.001);
    }

    @Test
    void signaturesDoNotDependOnPartitioningOrRun() {
        var spark = io.lmforge.core.testing.SharedSpark.get();
        java.util.List<String> docs = new java.util.ArrayList<>();
        for (String lang : new String[]{"de", "ru", "ja", "ko"}) {
            docs.addAll(io.lmforge.dedup.DedupFixtures.sampleDocs("gnome-help", lang));
        }
        Shingler s = new Shingler(Shingler.Kind.WORD, 5);
        MinHasher h = new MinHasher(112, 1);
        org.apache.spark.sql.api.java.UDF1<String, long[]> sig = t -> h.signature(s.shingles(t));
        var udf = org.apache.spark.sql.functions.udf(sig, org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.LongType));
        var df = spark.createDataset(docs, org.apache.spark.sql.Encoders.STRING()).toDF("text");
        var one = df.repartition(1).select(org.apache.spark.sql.functions.col("text"), udf.apply(org.apache.spark.sql.functions.col("text")).as("sig"))
                .orderBy("text").collectAsList();
        var four = df.repartition(4).select(org.apache.spark.sql.functions.col("text"), udf.apply(org.apache.spark.sql.functions.col("text")).as("sig"))
                .orderBy("text").collectAsList();
        assertEquals(one, four);
        for (int i = 0; i < 5; i++) { // and equal to a fresh hasher in this JVM (another run)
            long[] local = new MinHasher(112, 1).signature(new Shingler(Shingler.Kind.WORD, 5).shingles(one.get(i).getString(0)));
            assertEquals(java.util.Arrays.toString(local), java.util.Arrays.toString(io.lmforge.dedup.DedupRun.toLongs(one.get(i).getSeq(1))));
        }
    }

    /** Every component is min over shingles of (a*x + b) mod 2^61-1, x the unsigned shingle hash mod 2^61-1, computed in BigInteger. */
    @Test
    void signatureEqualsTheFamilysDefinitionInExactArithmetic() {
        java.math.BigInteger p = java.math.BigInteger.valueOf(MinHasher.P);
        int perms = 112;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42); // how the constructor draws a_i, b_i
        java.math.BigInteger[] a = new java.math.BigInteger[perms];
        java.math.BigInteger[] b = new java.math.BigInteger[perms];
        for (int i = 0; i < perms; i++) {
            a[i] = java.math.BigInteger.valueOf(1 + rnd.nextLong(MinHasher.P - 1));
            b[i] = java.math.BigInteger.valueOf(rnd.nextLong(MinHasher.P));
        }
        MinHasher h = new MinHasher(perms, 42);
        Shingler s = new Shingler(Shingler.Kind.WORD, 5);
        java.util.List<long[]> sets = new java.util.ArrayList<>();
        for (String d : io.lmforge.dedup.DedupFixtures.sampleDocs("gnome-help", "de").subList(0, 3)) {
            sets.add(s.shingles(d));
        }
        sets.add(new long[]{0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, MinHasher.P, MinHasher.P - 1, MinHasher.P + 1, 2 * MinHasher.P + 5});
        for (long[] set : sets) {
            long[] expected = new long[perms];
            java.util.Arrays.fill(expected, Long.MAX_VALUE);
            for (long sh : set) {
                java.math.BigInteger x = new java.math.BigInteger(Long.toUnsignedString(sh)).mod(p);
                for (int i = 0; i < perms; i++) {
                    expected[i] = Math.min(expected[i], a[i].multiply(x).add(b[i]).mod(p).longValueExact());
                }
            }
            assertArrayEquals(expected, h.signature(set));
        }
    }
}
