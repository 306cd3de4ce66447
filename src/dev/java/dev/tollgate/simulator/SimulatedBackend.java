package dev.tollgate.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One simulated Azure OpenAI instance: identity, behaviour knobs and counters. Usable without CDI: construct it, then
 * {@link #start(Vertx, String)} it on any Vert.x instance.
 *
 * <p>Knobs may be changed from any thread at any time (typically a test thread while requests are being served on
 * the event loop), hence volatile fields and atomics. A change applies to requests received after it.
 */
public final class SimulatedBackend {

    /** Remaining injected failures and their status; remaining -1 means "until further notice". */
    private record FailurePlan(int remaining, int status) {
        static final FailurePlan NONE = new FailurePlan(0, 0);
    }

    private final String name;
    private final int configuredPort;
    private final String region;
    private final BackendDefaults defaults;
    private final TokenBudget budget = new TokenBudget(System::currentTimeMillis);
    private final PromptCache promptCache = new PromptCache();
    private final AtomicReference<FailurePlan> failures = new AtomicReference<>(FailurePlan.NONE);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong served = new AtomicLong();

    private volatile Duration firstByteDelay;
    private volatile Duration chunkDelay;
    private volatile long tokensPerMinute;
    private volatile Instant throttledUntil = Instant.EPOCH;
    private volatile int dropStreamAfter = -1;
    private volatile RecordedRequest lastRequest;
    private volatile SimulatorServer server;
    /** Non-null from {@link #start} until {@link #stop}, so a second start is refused even while binding. */
    private Future<SimulatorServer> binding;
    private volatile String host;

    /**
     * @param name     label used in logs, e.g. {@code sim-1}
     * @param port     port to listen on; 0 picks a free one (see {@link #port()} after start)
     * @param region   Azure region reported in {@code x-ms-region}
     * @param defaults behaviour at start and after {@link #reset()}
     */
    public SimulatedBackend(String name, int port, String region, BackendDefaults defaults) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.configuredPort = port;
        this.region = Objects.requireNonNull(region, "region");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        applyDefaults();
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------------

    /** Starts listening; the future fails (with the port in the message) if the port is taken. */
    public synchronized Future<SimulatedBackend> start(Vertx vertx, String host) {
        if (binding != null) {
            return Future.failedFuture(new IllegalStateException(name + " is already started"));
        }
        this.host = host;
        Future<SimulatorServer> listening = SimulatorServer.listen(vertx, host, configuredPort, this);
        binding = listening;
        return listening
                .onSuccess(started -> bound(listening, started))
                .onFailure(cause -> forgetBinding(listening))
                .map(this);
    }

    /** Stops listening (also a start still in progress); a no-op when not started. */
    public synchronized Future<Void> stop() {
        Future<SimulatorServer> running = binding;
        binding = null;
        server = null;
        if (running == null) {
            return Future.succeededFuture();
        }
        return running.transform(bound -> bound.succeeded() ? bound.result().close() : Future.succeededFuture());
    }

    public boolean isRunning() {
        return server != null;
    }

    /** Ignores a bind that completes after {@link #stop()} was already called for it. */
    private synchronized void bound(Future<SimulatorServer> listening, SimulatorServer started) {
        if (binding == listening) {
            server = started;
        }
    }

    private synchronized void forgetBinding(Future<SimulatorServer> failed) {
        if (binding == failed) {
            binding = null;
        }
    }

    // ---- identity --------------------------------------------------------------------------------------------------

    public String name() {
        return name;
    }

    /** The bound port while running (useful with port 0), else the configured one. */
    public int port() {
        SimulatorServer running = server;
        return running != null ? running.port() : configuredPort;
    }

    public String region() {
        return region;
    }

    /** Base URL such as {@code http://127.0.0.1:18081}, to configure as the gateway's AOAI endpoint. */
    public String url() {
        return "http://" + (host != null ? host : "127.0.0.1") + ":" + port();
    }

    /** The {@code api-key} value this backend accepts. */
    public String apiKey() {
        return defaults.apiKey();
    }

    public BackendDefaults defaults() {
        return defaults;
    }

    // ---- knobs -----------------------------------------------------------------------------------------------------

    /** Time before the first byte of a successful answer. */
    public SimulatedBackend firstByteDelay(Duration delay) {
        this.firstByteDelay = BackendDefaults.requireNonNegative(delay, "firstByteDelay");
        return this;
    }

    public Duration firstByteDelay() {
        return firstByteDelay;
    }

    /** Pause between two server-sent events. */
    public SimulatedBackend chunkDelay(Duration delay) {
        this.chunkDelay = BackendDefaults.requireNonNegative(delay, "chunkDelay");
        return this;
    }

    public Duration chunkDelay() {
        return chunkDelay;
    }

    /** Token budget per one-minute window; 0 = unlimited. Takes effect in the current window. */
    public SimulatedBackend tokensPerMinute(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("tokensPerMinute must be >= 0, was " + limit);
        }
        this.tokensPerMinute = limit;
        return this;
    }

    public long tokensPerMinute() {
        return tokensPerMinute;
    }

    /**
     * Answers the next {@code count} valid requests (right key, route and body) with {@code status} and an AOAI error
     * body; {@code count} -1 = every request until {@link #reset()} or {@code failNext(0, ..)}.
     */
    public SimulatedBackend failNext(int count, int status) {
        if (count < -1) {
            throw new IllegalArgumentException("count must be -1 (always), 0 (off) or positive, was " + count);
        }
        if (count != 0 && (status < 400 || status > 599)) {
            throw new IllegalArgumentException("status must be an HTTP error status (4xx/5xx), was " + status);
        }
        failures.set(count == 0 ? FailurePlan.NONE : new FailurePlan(count, status));
        return this;
    }

    /** Answers every valid request with 429 and a {@code retry-after} counting down to now + {@code retryAfter}. */
    public SimulatedBackend throttleFor(Duration retryAfter) {
        BackendDefaults.requireNonNegative(retryAfter, "retryAfter");
        this.throttledUntil = Instant.now().plus(retryAfter);
        return this;
    }

    /** Cuts the TCP connection after this many server-sent events of each streamed answer, before {@code [DONE]};
     * -1 = off. The count includes the first (prompt filter) event; for a streamed response every named event
     * counts, {@code response.created} first, so the cut comes before {@code response.completed}. */
    public SimulatedBackend dropStreamAfter(int events) {
        if (events < -1) {
            throw new IllegalArgumentException("events must be -1 (off) or >= 0, was " + events);
        }
        this.dropStreamAfter = events;
        return this;
    }

    public int dropStreamAfter() {
        return dropStreamAfter;
    }

    /**
     * Back to the configured defaults: delays and token budget restored, injected failures, throttling and stream
     * drops cleared, rate-limit window, prompt cache, counters and last request forgotten, so each test starts clean.
     */
    public SimulatedBackend reset() {
        applyDefaults();
        failures.set(FailurePlan.NONE);
        throttledUntil = Instant.EPOCH;
        dropStreamAfter = -1;
        budget.reset();
        promptCache.clear();
        requests.set(0);
        served.set(0);
        lastRequest = null;
        return this;
    }

    // ---- observations ----------------------------------------------------------------------------------------------

    /** Requests received, whatever the answer (including 401, 404, 429 and injected failures). */
    public long requests() {
        return requests.get();
    }

    /** Requests answered with a 2xx status. */
    public long served() {
        return served.get();
    }

    /** The most recent request received, or {@code null} if none since start or {@link #reset()}. */
    public RecordedRequest lastRequest() {
        return lastRequest;
    }

    @Override
    public String toString() {
        return name + " " + url() + " (" + region + ")";
    }

    // ---- used by the request handler -------------------------------------------------------------------------------

    void recordRequest(RecordedRequest request) {
        lastRequest = request;
        requests.incrementAndGet();
    }

    void countServed() {
        served.incrementAndGet();
    }

    /** Consumes one injected failure if any is planned; returns its status, or 0 when the request may proceed. */
    int takeInjectedFailure() {
        FailurePlan before = failures.getAndUpdate(plan -> plan.remaining() > 0
                ? (plan.remaining() == 1 ? FailurePlan.NONE : new FailurePlan(plan.remaining() - 1, plan.status()))
                : plan);
        return before.remaining() != 0 ? before.status() : 0;
    }

    /** Milliseconds left of a {@link #throttleFor(Duration)}, 0 when not throttled. */
    long throttledForMillis() {
        return Math.max(0, Duration.between(Instant.now(), throttledUntil).toMillis());
    }

    TokenBudget.Decision admit(long cost) {
        return budget.admit(tokensPerMinute, cost);
    }

    TokenBudget.Decision currentLimits() {
        return budget.peek(tokensPerMinute);
    }

    boolean promptSeenBefore(AoaiCall call) {
        return promptCache.checkAndRemember(call.prompt().cacheKey(call.deployment()));
    }

    private void applyDefaults() {
        firstByteDelay = defaults.firstByteDelay();
        chunkDelay = defaults.chunkDelay();
        tokensPerMinute = defaults.tokensPerMinute();
    }
}
