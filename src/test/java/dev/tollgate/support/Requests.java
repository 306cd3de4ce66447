package dev.tollgate.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.request.InboundRequest;
import dev.tollgate.request.RequestReader;
import io.vertx.core.buffer.Buffer;

/** Callers' requests read as the gateway reads them ({@link RequestReader}), for tests below the HTTP layer. */
public final class Requests {

    private static final RequestReader READER = new RequestReader(new ObjectMapper());

    private Requests() {
    }

    /** A request to a deployment (the path's), with this body. */
    public static InboundRequest read(String deployment, String operationPath, ObjectNode body) {
        return read(deployment, operationPath, body.toString());
    }

    public static InboundRequest read(String deployment, String operationPath, String body) {
        return READER.read(InboundRequest.PathStyle.DEPLOYMENTS, deployment, operationPath, Buffer.buffer(body), "");
    }
}
