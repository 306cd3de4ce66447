package dev.tollgate.export;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the export shows in {@code /q/metrics}: how far behind it is ({@code tollgate.export.lag.records}, records not
 * yet accepted by the hub; {@code tollgate.export.lag.seconds}, age of the oldest of them), events sent and failed
 * rounds. Lag is measured from the database by the exporter, never on a scrape.
 */
public final class ExportMetrics {

    private final AtomicLong lagRecords = new AtomicLong();
    private final AtomicLong lagMillis = new AtomicLong();
    private final Counter sent;
    private final Counter failures;

    public ExportMetrics(MeterRegistry registry) {
        Gauge.builder("tollgate.export.lag.records", lagRecords, AtomicLong::doubleValue)
                .description("Usage records not yet accepted by the Event Hub").strongReference(true)
                .register(registry);
        Gauge.builder("tollgate.export.lag.seconds", lagMillis, millis -> millis.get() / 1000.0)
                .description("Age of the oldest usage record not yet accepted by the Event Hub (0 if none)")
                .baseUnit("seconds").strongReference(true).register(registry);
        sent = Counter.builder("tollgate.export.events.sent")
                .description("Usage events accepted by the Event Hub").register(registry);
        failures = Counter.builder("tollgate.export.failures")
                .description("Export rounds that failed and will be retried").register(registry);
    }

    void lag(long records, Duration age) {
        lagRecords.set(records);
        lagMillis.set(Math.max(0, age.toMillis()));
    }

    void sent(int events) {
        sent.increment(events);
    }

    void failed() {
        failures.increment();
    }

    public long lagRecords() {
        return lagRecords.get();
    }

    public double sentCount() {
        return sent.count();
    }

    public double failureCount() {
        return failures.count();
    }
}
