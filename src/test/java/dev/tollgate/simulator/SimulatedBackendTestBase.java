package dev.tollgate.simulator;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One fast {@link SimulatedBackend} on a free port per test class, with a client for it; reset before every test.
 * The fields are static and shared by all subclasses, which is fine because JUnit runs classes one at a time here.
 */
abstract class SimulatedBackendTestBase {

    static Vertx vertx;
    static SimulatedBackend backend;
    static AoaiTestClient client;

    @BeforeAll
    static void startBackend() throws Exception {
        vertx = Vertx.vertx();
        backend = AoaiTestClient.startBackend(vertx, BackendDefaults.fast());
        client = new AoaiTestClient(backend);
    }

    @AfterAll
    static void stopBackend() throws Exception {
        AoaiTestClient.close(vertx);
    }

    @BeforeEach
    void resetBackend() {
        backend.reset();
    }
}
