package dev.tollgate.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Singleton;

/** Writes an AOAI-shaped error on a raw Vert.x response (the gateway routes do not go through Quarkus REST). */
@Singleton
public class ErrorWriter {

    private final ObjectMapper mapper;

    public ErrorWriter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public void send(HttpServerResponse response, GatewayException error) {
        send(response, error.code().status(), error.body());
    }

    public void send(HttpServerResponse response, int status, AoaiError body) {
        if (response.headWritten() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(serialize(body)));
    }

    private byte[] serialize(AoaiError body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An error record always serializes", e);
        }
    }
}
