package dev.tollgate.metering;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import jakarta.inject.Singleton;

import java.util.concurrent.Callable;

/**
 * The threads the tokenizer counts on: as many as the CPUs, at least two, instead of Quarkus' worker pool. Counting is
 * CPU work, so more threads than cores only slice the same CPUs finer; and when many requests need a count at once
 * (a caller's timeout cutting its streams, the end of a load test), the worker pool grew a thread for each, 22 of them
 * in the benchmark, every one keeping its stack and C heap. Counts beyond the threads wait their turn in order.
 */
@Singleton
public class TokenizerThreads {

    private final WorkerExecutor executor;

    public TokenizerThreads(Vertx vertx) {
        this.executor = vertx.createSharedWorkerExecutor("tollgate-tokenizer",
                Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    /** Runs the count on a tokenizer thread; the future completes on the caller's context (its event loop). */
    public <T> Future<T> count(Callable<T> count) {
        return executor.executeBlocking(count, false);
    }
}
