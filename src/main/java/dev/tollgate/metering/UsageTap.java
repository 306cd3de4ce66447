package dev.tollgate.metering;

import io.vertx.core.buffer.Buffer;

import java.util.Optional;

/**
 * Watches a response body go by, chunk after chunk as it arrives from the upstream, and finds the usage and the model
 * served in it, without ever holding the whole body.
 */
public interface UsageTap {

    /**
     * The next chunk of the body, in order; returns the bytes to pass on to the caller now (the chunk itself, or for
     * an event stream the events completed so far, less any the gateway itself asked for). Never throws: a body it
     * cannot read yields no usage and is passed on untouched.
     */
    Buffer onChunk(Buffer chunk);

    /** The body has ended; returns what is still held back (an unterminated last event). */
    Buffer onEnd();

    /** The usage block seen so far, if any. */
    Optional<Usage> usage();

    /** The model the upstream says served the request, if seen. */
    Optional<String> model();

    /** The answer's text seen so far, to estimate usage the upstream did not report; empty where it is not kept. */
    String outputText();
}
