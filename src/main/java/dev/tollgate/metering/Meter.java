package dev.tollgate.metering;

import dev.tollgate.identity.Caller;
import dev.tollgate.routing.Target;
import io.vertx.core.buffer.Buffer;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One request's meter, opened as soon as the caller is known ({@link MeteringStage}). The later stages tell it what
 * was asked, which targets were tried and what answered; it yields the request's usage record exactly once, whichever
 * way the request ends (rejected, answered, backend failed, caller gone). Used on one event-loop thread.
 */
public final class Meter {

    /** The deployment recorded for a request rejected before it named one that could exist. */
    static final String UNKNOWN_DEPLOYMENT = "(unknown)";

    private final UUID id = RequestIds.next();
    private final Instant startedAt = Instant.now();
    private final long startNanos = System.nanoTime();
    private final Caller caller;
    private final UsageJournal journal;
    private String deployment = UNKNOWN_DEPLOYMENT;
    private String operation = "";
    private boolean stream;
    private Buffer requestBody;
    private long quickPromptTokens;
    private Target target;
    private UsageRecord.Spill spill;
    private int attempts;
    private String upstreamRequestId;
    private int upstreamStatus;
    private UsageTap tap;
    private boolean recorded;
    private String limitedBy;
    private Consumer<UsageRecord> whenRecorded;

    Meter(Caller caller, UsageJournal journal) {
        this.caller = caller;
        this.journal = journal;
    }

    /** The record id, handed to the caller as {@code x-request-id}. */
    public UUID id() {
        return id;
    }

    public Caller caller() {
        return caller;
    }

    /**
     * What the path asks for, before the body is read: recorded if the body turns out unusable.
     *
     * @param deployment a valid deployment name from the path, or null (none, or not a possible name)
     */
    public void asked(String deployment, String operationPath) {
        this.deployment = deployment == null ? UNKNOWN_DEPLOYMENT : deployment;
        this.operation = operationPath;
    }

    /**
     * What the request asks for, once its body is read.
     *
     * @param body              what a usage estimate counts the prompt of, with the tokenizer
     * @param quickPromptTokens the prompt's quick estimate, journalled while the request runs
     */
    public void asked(String deployment, String operationPath, boolean stream, Buffer body, long quickPromptTokens) {
        asked(deployment, operationPath);
        this.stream = stream;
        this.requestBody = body;
        this.quickPromptTokens = quickPromptTokens;
    }

    /** The request is being sent to this target (its first or a further attempt). */
    public void attempt(Target target) {
        this.target = target;
        if (attempts++ == 0) {
            // From now on a backend may be spending tokens on it: journalled, so that even a crash charges it.
            journal.opened(this);
        }
    }

    /**
     * The target refused the request (429, 5xx, or no answer: status 0) and the request goes on to another: if it is
     * provisioned, and the first provisioned one to refuse, the record says the request spilled from it.
     */
    public void refused(Target refusing, int status) {
        if (spill == null && refusing.deploymentType().provisioned()) {
            spill = new UsageRecord.Spill(refusing.backend().id(), refusing.upstreamDeployment(), status);
        }
    }

    /** Admission refused the request under this rule: its record says so. */
    public void limitedBy(String ruleId) {
        this.limitedBy = ruleId;
    }

    /**
     * Called with the request's final record (its real usage, or the estimate made for it) once it is made, on any
     * thread: how admission replaces its estimate with what was consumed.
     */
    public void whenRecorded(Consumer<UsageRecord> listener) {
        this.whenRecorded = listener;
    }

    /** The final record is made: tells the listener, if any. */
    void recorded(UsageRecord record) {
        if (whenRecorded != null) {
            whenRecorded.accept(record);
        }
    }

    /** The target of the latest attempt, or null before the first. */
    Target target() {
        return target;
    }

    Instant startedAt() {
        return startedAt;
    }

    String deployment() {
        return deployment;
    }

    boolean stream() {
        return stream;
    }

    /** The backend's answer has begun: its status, request id, and the tap its body goes through. */
    void answering(int status, String upstreamRequestId, UsageTap tap) {
        this.upstreamStatus = status;
        this.upstreamRequestId = upstreamRequestId;
        this.tap = tap;
    }

    int upstreamStatus() {
        return upstreamStatus;
    }

    /** The tap of the answer, or null before a backend answered. */
    UsageTap tap() {
        return tap;
    }

    /** The operation asked, e.g. {@code chat/completions}. */
    String operation() {
        return operation;
    }

    /** The request's body, or null when it was not read. */
    Buffer requestBody() {
        return requestBody;
    }

    long quickPromptTokens() {
        return quickPromptTokens;
    }

    /** Whether the record was taken: the request is over as far as metering is concerned. */
    public boolean finished() {
        return recorded;
    }

    /** The record of this request, or null if it was already taken. */
    UsageRecord finish(int status, Usage usage, String model) {
        if (recorded) {
            return null;
        }
        recorded = true;
        return snapshot(status, usage, model);
    }

    /**
     * The record of this request as it stands, taken or not: at shutdown, for a request still running (from another
     * thread; should the event loop record it too, both have its id and PostgreSQL keeps one).
     */
    UsageRecord snapshot(int status, Usage usage, String model) {
        int latencyMs = (int) TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        return new UsageRecord(id, startedAt, caller.appId(), caller.tenantId(), deployment, model,
                target == null ? null : target.backend().id(),
                target == null ? null : target.backend().region().orElse(null),
                target == null ? null : target.deploymentType(),
                operation, stream, status, latencyMs, attempts, usage, upstreamRequestId, caller.userId(), false,
                limitedBy, target == null ? null : target.upstreamDeployment(),
                spill != null && target != null && !spill.equals(refusedBy(target)) ? spill : null);
    }

    /** The spill a refusal by this target would be. */
    private UsageRecord.Spill refusedBy(Target refusing) {
        return new UsageRecord.Spill(refusing.backend().id(), refusing.upstreamDeployment(), spill.status());
    }
}
