package io.lmforge.eval.task;

import io.lmforge.core.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped task configs on the shipped data give lm-evaluation-harness's prompt strings. */
class TaskPromptsTest {
    @BeforeAll
    static void home() {
        System.setProperty("lmforge.home", SharedSpark.repoRoot().getPath());
    }

    private static LoadedTask task(String name, String... langs) throws Exception {
        return LoadedTask.load("conf/tasks", name, List.of(langs));
    }

    @Test
    void xcopaUsesNativeConnectorsAndLowerCasedChoices() throws Exception {
        LoadedTask t = task("xcopa", "et", "zh");
        assertEquals(500, t.evalDocs().get("et").size());
        assertEquals(100, t.demoDocs().get("et").size());
        FewShotPrompts p = new FewShotPrompts(t.spec(), "", "");
        // {"premise": "Mees keeras kraani lahti.", "choice1": "Tualett täitus veega.", "choice2": "Tilast voolas vett.", "question": "effect", "label": 1}
        List<Map<String, String>> val = t.demoDocs().get("et");
        FewShotExample x = p.build("et", val, 0, val, true, 0, 0);
        assertEquals(List.of("Mees keeras kraani lahti seetõttu", "Mees keeras kraani lahti seetõttu"), x.contexts());
        assertEquals(List.of(" tualett täitus veega.", " tilast voolas vett."), x.continuations());
        assertEquals(List.of("tualett täitus veega.", "tilast voolas vett."), x.normTexts());
        assertEquals(1, x.gold());
        FewShotExample en = new FewShotPrompts(t.spec(), "en", "").build("et", val, 0, val, true, 0, 0);
        assertEquals("Mees keeras kraani lahti therefore", en.contexts().get(0), "English-template variant");
    }

    @Test
    void kShotPromptsHaveKDistinctDemonstrationsDrawnBySeed() throws Exception {
        LoadedTask t = task("xstorycloze", "es");
        FewShotPrompts p = new FewShotPrompts(t.spec(), "", "");
        List<Map<String, String>> eval = t.evalDocs().get("es");
        LoadedTask.Pool pool = t.demoPool("es", "");
        FewShotExample a = p.build("es", eval, 5, pool.docs(), pool.isEvalSplit(), 4, 0);
        FewShotExample again = p.build("es", eval, 5, pool.docs(), pool.isEvalSplit(), 4, 0);
        FewShotExample other = p.build("es", eval, 5, pool.docs(), pool.isEvalSplit(), 4, 1);
        assertEquals(a, again, "same seed, same prompt");
        assertNotEquals(a.contexts().get(0), other.contexts().get(0), "another seed, other demonstrations");
        String ctx = a.contexts().get(0);
        String[] parts = ctx.split("\n\n", -1);
        assertEquals(5, parts.length, "4 demonstrations + the example, separated by the few-shot delimiter");
        Map<String, String> doc = eval.get(5);
        assertEquals(String.join(" ", doc.get("InputSentence1"), doc.get("InputSentence2"), doc.get("InputSentence3"), doc.get("InputSentence4")), parts[4]);
        Set<String> demos = new HashSet<>(List.of(parts).subList(0, 4));
        assertEquals(4, demos.size(), "distinct demonstrations");
        for (String d : demos) { // each demonstration ends with its gold ending
            boolean found = pool.docs().stream().anyMatch(x -> d.equals(x.get("InputSentence1") + " " + x.get("InputSentence2") + " " + x.get("InputSentence3") + " "
                    + x.get("InputSentence4") + " " + x.get(x.get("AnswerRightEnding").equals("1") ? "RandomFifthSentenceQuiz1" : "RandomFifthSentenceQuiz2")));
            assertTrue(found, "demonstration is a story from the 20 % split with its right ending: " + d);
        }
    }

    @Test
    void crossLingualDemonstrationsComeFromTheOtherLanguagesPool() throws Exception {
        LoadedTask t = task("xstorycloze", "ru");
        FewShotPrompts p = new FewShotPrompts(t.spec(), "", "es");
        LoadedTask.Pool pool = t.demoPool("ru", "es");
        assertEquals(360, pool.docs().size());
        assertTrue(pool.docs().get(0).get("InputSentence1").chars().noneMatch(ch -> Character.UnicodeScript.of(ch) == Character.UnicodeScript.CYRILLIC));
        FewShotExample x = p.build("ru", t.evalDocs().get("ru"), 0, pool.docs(), pool.isEvalSplit(), 2, 0);
        String[] parts = x.contexts().get(0).split("\n\n");
        assertEquals(3, parts.length);
        for (int i = 0; i < 2; i++) {
            assertTrue(parts[i].chars().noneMatch(ch -> Character.UnicodeScript.of(ch) == Character.UnicodeScript.CYRILLIC), "Spanish demonstration: " + parts[i]);
        }
        assertTrue(parts[2].chars().anyMatch(ch -> Character.UnicodeScript.of(ch) == Character.UnicodeScript.CYRILLIC), "the Russian example");
    }

    @Test
    void xwinogradIsPartialScoringOverTheConvertedDataset() throws Exception {
        LoadedTask t = task("xwinograd");
        Map<String, Integer> sizes = new TreeMap<>();
        t.evalDocs().forEach((l, d) -> sizes.put(l, d.size()));
        assertEquals(Map.of("en", 2325, "fr", 83, "jp", 959, "pt", 263, "ru", 315, "zh", 16), sizes);
        List<Map<String, String>> en = t.evalDocs().get("en");
        FewShotPrompts p = new FewShotPrompts(t.spec(), "", "");
        FewShotExample x = p.build("en", en, 0, en, true, 0, 0);
        assertEquals(List.of("The city councilmen refused the demonstrators a permit because The city councilmen",
                "The city councilmen refused the demonstrators a permit because the demonstrators"), x.contexts());
        assertEquals(List.of(" feared violence.", " feared violence."), x.continuations());
        assertEquals(0, x.gold());
        // PTB quotes in the token list still find the pronoun in the raw text
        assertTrue(en.stream().anyMatch(d -> d.get("sentence").contains("\"Dibs!\" was slow")));
        FewShotExample k2 = p.build("en", en, 0, en, true, 2, 0);
        assertTrue(!k2.contexts().get(0).startsWith("The city councilmen refused the demonstrators a permit because The city councilmen feared"),
                "the example itself is never its own demonstration");
        for (Map.Entry<String, List<Map<String, String>>> e : t.evalDocs().entrySet()) { // every converted example renders
            for (int i = 0; i < e.getValue().size(); i++) {
                FewShotExample y = p.build(e.getKey(), e.getValue(), i, e.getValue(), true, 0, 0);
                assertTrue(y.continuations().get(0).startsWith(" "), y.toString()); // " " alone where the blank ends the sentence, as in the harness
                assertNotEquals(y.contexts().get(0), y.contexts().get(1));
            }
        }
    }

    @Test
    void theXnliExampleExpressesTheHarnessTemplateWithAnEmptyContext() throws Exception {
        java.nio.file.Path f = SharedSpark.repoRoot().toPath().resolve("conf/tasks/examples/xnli.conf");
        String text = java.nio.file.Files.readString(f);
        TaskSpec spec = TaskSpec.from(com.typesafe.config.ConfigFactory.parseString(text).resolve(), text);
        Map<String, String> doc = Map.of("premise", "Der Hund schläft", "hypothesis", "das Tier ruht", "label", "0");
        FewShotExample x = new FewShotPrompts(spec, "", "").build("de", List.of(doc), 0, List.of(doc), true, 0, 0);
        assertEquals(List.of("", "", ""), x.contexts());
        assertEquals(List.of(" Der Hund schläft, richtig? Ja, das Tier ruht", " Der Hund schläft, richtig? Auch, das Tier ruht",
                " Der Hund schläft, richtig? Nein, das Tier ruht"), x.continuations());
        assertEquals(0, x.gold());
        assertEquals(" Der Hund schläft, right? Yes, das Tier ruht", new FewShotPrompts(spec, "en", "").build("de", List.of(doc), 0, List.of(doc), true, 0, 0)
                .continuations().get(0));
    }

    @Test
    void badTemplatesAndGoldsFailClearly() {
        assertThrows(IllegalArgumentException.class, () -> Template.parse("{premise|shout}"));
        assertThrows(IllegalArgumentException.class, () -> Template.parse("{premise"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Template.parse("{nope}").render(Map.of("premise", "x"), Map.of()));
        assertTrue(e.getMessage().contains("nope"));
        assertEquals("{x}", Template.parse("{{}x{}}").render(Map.of(), Map.of()));
    }
}
