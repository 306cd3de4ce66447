package dev.tollgate.proxy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How requests are forwarded to the backends. */
@ConfigMapping(prefix = "tollgate.proxy")
public interface ProxyConfig {

    /** Time allowed to open a connection to a backend. */
    @WithDefault("PT5S")
    Duration connectTimeout();

    /**
     * Longest silence allowed from a backend: before the first byte of its answer, and between two chunks of a stream.
     * A large prompt can take a while to the first token, so this is generous.
     */
    @WithDefault("PT120S")
    Duration idleTimeout();

    /**
     * Longest a whole answer may take, streams included; then the backend request is cancelled. Also the overall
     * deadline of a request: no further attempt starts after it.
     */
    @WithDefault("PT10M")
    Duration requestTimeout();

    /** Largest request body accepted, in bytes (images sent inline make chat requests large). */
    @WithDefault("20971520")
    long maxRequestBodyBytes();

    /**
     * Targets one request may try: a 429, 5xx, connection error or timeout before any byte reached the caller sends
     * the request to the next usable target of its pool, up to this many attempts in all.
     */
    @WithDefault("3")
    int maxAttempts();

    /** Open connections kept per backend. */
    @WithDefault("256")
    int maxConnectionsPerBackend();

    /** Requests that may wait for a free connection before new ones are refused (bounded: nothing queues forever). */
    @WithDefault("1024")
    int maxWaitingRequests();
}
