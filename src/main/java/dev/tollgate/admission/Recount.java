package dev.tollgate.admission;

/**
 * Not decided yet: the quick estimate of the prompt would refuse the request on tokens, and only the model's
 * tokenizer may (a request is never refused on a guess). The count is made off the event loop
 * ({@link Admission#recount}); should it fail, {@code quick} stands.
 */
public record Recount(Refused quick) implements Decision {
}
