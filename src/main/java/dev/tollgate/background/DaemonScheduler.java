package dev.tollgate.background;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one-thread schedulers of the background loops (usage export, admission exchange, capacity allocation, Graph
 * names, routing reload). Their threads are daemons, so a loop that is busy at shutdown never holds the JVM open:
 * each loop's owner stops it in its shutdown hook and says what a cut round means for it.
 */
public final class DaemonScheduler {

    private DaemonScheduler() {
    }

    /** A single-thread scheduler whose thread carries {@code name} (as seen in thread dumps and logs). */
    public static ScheduledExecutorService named(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
