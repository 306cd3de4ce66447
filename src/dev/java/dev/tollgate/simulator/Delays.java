package dev.tollgate.simulator;

import io.vertx.core.Vertx;

import java.time.Duration;

/** Runs work later without blocking an event loop: the simulator must never sleep on a Vert.x thread. */
final class Delays {

    private Delays() {
    }

    /** Vert.x timers need at least 1 ms, so a zero delay becomes "next turn of the event loop" instead. */
    static void after(Vertx vertx, Duration delay, Runnable action) {
        long millis = delay.toMillis();
        if (millis < 1) {
            vertx.runOnContext(ignored -> action.run());
        } else {
            vertx.setTimer(millis, ignored -> action.run());
        }
    }
}
