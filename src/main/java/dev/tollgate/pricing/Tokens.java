package dev.tollgate.pricing;

/**
 * The token counts a price applies to.
 *
 * @param input       all input tokens, cached ones included
 * @param cachedInput the part of {@code input} served from the prompt cache
 * @param output      all output tokens, reasoning ones included
 */
public record Tokens(long input, long cachedInput, long output) {

    public boolean none() {
        return input == 0 && output == 0;
    }
}
