package dev.tollgate.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Singleton;

/**
 * Reads a caller's request body: checks it is a JSON object, finds the deployment and the stream flag, and for a
 * streamed chat or completions request makes sure the upstream will report usage ({@code stream_options.include_usage}),
 * remembering whether the caller had asked for it.
 */
@Singleton
public class RequestReader {

    /** Azure's rule for deployment names: a letter or digit, then letters, digits, '.', '_' or '-'; 64 at most. */
    private static final int MAX_DEPLOYMENT_NAME = 64;

    private final ObjectMapper mapper;

    public RequestReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public InboundRequest read(InboundRequest.PathStyle style, String pathDeployment, String operationPath,
                               Buffer body, String query) {
        Operation operation = Operation.fromPath(operationPath).orElseThrow(() -> new GatewayException(
                ErrorCode.NOT_FOUND, "The gateway does not forward '" + operationPath + "'; it forwards "
                + "chat/completions, completions, embeddings and responses."));
        ObjectNode json = parse(body);
        String deployment = style.deploymentInBody() ? json.path("model").asText("") : pathDeployment;
        if (deployment.isBlank()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, style.deploymentInBody()
                    ? "The request body must name the deployment in 'model'."
                    : "The path must name a deployment: /openai/deployments/{deployment}/" + operationPath + ".");
        }
        if (!isDeploymentName(deployment)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'" + deployment.replaceAll("\\p{Cntrl}", "?")
                    + "' is not a deployment name: up to 64 letters, digits, '-', '_' or '.'.");
        }
        boolean stream = json.path("stream").asBoolean(false);
        boolean inject = stream && operation.streamsUsage()
                && !json.path("stream_options").path("include_usage").asBoolean(false);
        Buffer upstreamBody = body;
        if (inject) {
            JsonNode options = json.path("stream_options");
            ObjectNode streamOptions = options.isObject() ? (ObjectNode) options : json.putObject("stream_options");
            streamOptions.put("include_usage", true);
            upstreamBody = Buffer.buffer(serialize(json));
        }
        return new InboundRequest(style, deployment, operation, query == null ? "" : query, stream, inject,
                upstreamBody, json);
    }

    /**
     * The body to send to a target serving the request with that deployment. Where the deployment is the body's
     * {@code model}, a target that serves the pool with another deployment (a fallback) needs it renamed; everything
     * else goes as read.
     */
    public Buffer bodyFor(InboundRequest request, String upstreamDeployment) {
        if (!request.style().deploymentInBody() || upstreamDeployment.equals(request.deployment())) {
            return request.body();
        }
        ObjectNode renamed = request.json().deepCopy();
        renamed.put("model", upstreamDeployment);
        return Buffer.buffer(serialize(renamed));
    }

    /**
     * Whether a name follows Azure's own rule for deployment names; anything else cannot be served and must not reach
     * records or metrics. A loop rather than a regular expression: it runs for every request.
     */
    public static boolean isDeploymentName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_DEPLOYMENT_NAME || !letterOrDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!letterOrDigit(c) && c != '.' && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private ObjectNode parse(Buffer body) {
        if (body == null || body.length() == 0) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body is empty; a JSON object is expected.");
        }
        JsonNode json;
        try {
            // Parsed where the body handler put it when that is a heap array, rather than from a copy of it.
            ByteBuf bytes = body.getByteBuf();
            json = bytes.hasArray()
                    ? mapper.readTree(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes())
                    : mapper.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body is not valid JSON: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ".");
        } catch (java.io.IOException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body could not be read.");
        }
        if (json == null || !json.isObject()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body must be a JSON object.");
        }
        return (ObjectNode) json;
    }

    private byte[] serialize(JsonNode json) {
        try {
            return mapper.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed JSON tree always serializes", e);
        }
    }
}
