package dev.tollgate.simulator;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The prompt side of a request, reduced to what token counting, prompt caching and embeddings need.
 *
 * @param items    message contents, prompt strings or embedding inputs, in request order
 * @param messages number of chat messages (each costs a few framing tokens), 0 for other operations
 */
record Prompt(List<Item> items, int messages) {

    /** Framing tokens Azure bills per chat message on top of its content. */
    static final int TOKENS_PER_MESSAGE = 7;

    /**
     * One piece of prompt.
     *
     * @param text         the text, or for pre-tokenized input a rendering of the token ids
     * @param preTokenized number of token ids when the caller sent tokens instead of text, else 0
     */
    record Item(String text, long preTokenized) {

        static Item text(String text) {
            return new Item(text, 0);
        }

        long tokens() {
            return preTokenized;
        }

        long characters() {
            return preTokenized > 0 ? 0 : text.length();
        }
    }

    Prompt {
        items = List.copyOf(items);
    }

    /** About four characters per token, plus per-message framing and any pre-tokenized input; never below 1. */
    long tokens() {
        long characters = items.stream().mapToLong(Item::characters).sum();
        long preTokenized = items.stream().mapToLong(Item::tokens).sum();
        return Math.max(1, characters / 4 + preTokenized + (long) TOKENS_PER_MESSAGE * messages);
    }

    /** Identity of the prompt for the prompt cache: same deployment and same text means a cache hit. */
    String cacheKey(String deployment) {
        return deployment + '\u0000' + items.stream().map(Item::text).collect(Collectors.joining("\u0000"));
    }
}
