package dev.tollgate.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * The generated answer text: a fixed word list cycled, so that one word stands for one billed token and the text is
 * the same for the same request every time.
 */
final class LoremText {

    private static final List<String> WORDS = List.of(
            "Lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
            "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "Ut",
            "enim", "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi");

    private LoremText() {
    }

    /**
     * The answer split as a model streams it: the first word bare, every later one with its leading space, so the
     * concatenation of the pieces is exactly {@link #answer(int)}.
     */
    static List<String> tokens(int count) {
        List<String> tokens = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String word = WORDS.get(i % WORDS.size());
            tokens.add(i == 0 ? word : " " + word);
        }
        return tokens;
    }

    static String answer(int count) {
        return String.join("", tokens(count));
    }
}
