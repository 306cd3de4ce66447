package dev.tollgate.admission;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;

/** Admission: limits, quotas and budgets per app (docs/admission.md, docs/configuration.md#admission). */
@ConfigMapping(prefix = "tollgate.admission")
public interface AdmissionConfig {

    /** Off: every request is admitted and nothing is counted (rules can still be edited). */
    @WithDefault("true")
    boolean enabled();

    /** The time zone of the calendar periods (hour, day, month) of quotas and budgets. */
    @WithDefault("UTC")
    ZoneId timeZone();

    /**
     * How often each replica pushes its counts to PostgreSQL and reads everyone else's, and follows rule and app
     * changes. The overshoot bound grows with it (docs/admission.md).
     */
    @WithDefault("1S")
    Duration exchangeInterval();

    /** Output tokens reserved for a request that sets no max_tokens / max_completion_tokens / max_output_tokens. */
    @WithDefault("1024")
    int defaultOutputReserve();

    /**
     * Prompts counted with the tokenizer at once, on worker threads, to confirm refusals on tokens. Past it, the quick
     * estimate's refusal stands: an app sending long prompts over its limit cannot occupy every worker.
     */
    @WithDefault("16")
    int maxRecountsInFlight();

    /**
     * How long another replica's in-flight estimate counts after its last update: a replica that died can never settle
     * its requests. Longer than the longest request.
     */
    @WithDefault("15M")
    Duration inflightExpiry();

    /** This replica's name in the shared counters; default a random id per process (a restart is a new replica). */
    Optional<String> replicaId();

    /** A JSON file (an array of rules) to store at start: a path or {@code classpath:<resource>}. */
    Optional<String> seedFile();

    /** What the seed file does to rules that are stored already. */
    @WithDefault("insert-missing")
    SeedMode seedMode();

    Alerts alerts();

    enum SeedMode {
        /** Only rules not stored yet are added: changes made through the admin API survive restarts. */
        INSERT_MISSING,
        /** The file wins: stored rules of the same id get the file's values. */
        UPSERT
    }

    /** Soft-threshold alerts: always a log line and a counter; a webhook if a URL is set. */
    interface Alerts {

        /** Receives each alert as a JSON POST (docs/admission.md#alerts). */
        Optional<URI> webhookUrl();

        /** Signs each webhook body: header {@code X-Tollgate-Signature: sha256=<hex HMAC-SHA256>}. */
        Optional<String> webhookSecret();

        /** Deliveries tried per alert (the first included) before it is given up, logged. */
        @WithDefault("4")
        int webhookAttempts();

        /** Wait before the second attempt; doubled for each one after. */
        @WithDefault("1S")
        Duration webhookBackoff();

        @WithDefault("5S")
        Duration webhookTimeout();
    }
}
