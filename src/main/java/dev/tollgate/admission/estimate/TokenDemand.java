package dev.tollgate.admission.estimate;

/**
 * What a request is expected to consume before it goes upstream.
 *
 * @param input  prompt tokens (an estimate)
 * @param output output tokens reserved: the request's own maximum, or the configured default reserve
 */
public record TokenDemand(long input, long output) {

    public long total() {
        return input + output;
    }
}
