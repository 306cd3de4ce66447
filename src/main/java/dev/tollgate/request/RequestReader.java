package dev.tollgate.request;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a caller's request body: checks it is a JSON object, finds the deployment, the stream flag and what admission
 * and metering estimate tokens from, in one streaming pass ({@link BodyScan}); for a streamed chat or completions
 * request it makes sure the upstream will report usage ({@code stream_options.include_usage}), remembering whether the
 * caller had asked for it. No tree of the body is built on the way, but for the rare change that needs one.
 */
@Singleton
public class RequestReader {

    /** Azure's rule for deployment names: a letter or digit, then letters, digits, '.', '_' or '-'; 64 at most. */
    private static final int MAX_DEPLOYMENT_NAME = 64;
    private static final byte[] INCLUDE_USAGE = "\"stream_options\":{\"include_usage\":true},"
            .getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;

    public RequestReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public InboundRequest read(InboundRequest.PathStyle style, String pathDeployment, String operationPath,
                               Buffer body, String query) {
        Operation operation = Operation.fromPath(operationPath).orElseThrow(() -> new GatewayException(
                ErrorCode.NOT_FOUND, "The gateway does not forward '" + operationPath + "'; it forwards "
                + "chat/completions, completions, embeddings and responses."));
        BodyScan scan = scan(body);
        String deployment = style.deploymentInBody() ? scan.model : pathDeployment;
        if (deployment.isBlank()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, style.deploymentInBody()
                    ? "The request body must name the deployment in 'model'."
                    : "The path must name a deployment: /openai/deployments/{deployment}/" + operationPath + ".");
        }
        if (!isDeploymentName(deployment)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'" + deployment.replaceAll("\\p{Cntrl}", "?")
                    + "' is not a deployment name: up to 64 letters, digits, '-', '_' or '.'.");
        }
        boolean inject = scan.stream && operation.streamsUsage() && !scan.includeUsage;
        return new InboundRequest(style, deployment, operation, query == null ? "" : query, scan.stream, inject,
                inject ? withUsageAsked(body, scan) : body,
                new InboundRequest.Tokens(scan.quickPromptTokens(), scan.maxOutputTokens(), scan.choices()));
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
        ObjectNode renamed = tree(request.body());
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

    private BodyScan scan(Buffer body) {
        if (body == null || body.length() == 0) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body is empty; a JSON object is expected.");
        }
        BodyScan scan;
        // Read where the body handler put it when that is a heap array, rather than from a copy of it.
        ByteBuf bytes = body.getByteBuf();
        try (JsonParser parser = bytes.hasArray()
                ? mapper.createParser(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes())
                : mapper.createParser(body.getBytes())) {
            scan = BodyScan.of(parser);
        } catch (JsonProcessingException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body is not valid JSON: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ".");
        } catch (IOException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body could not be read.");
        }
        if (scan == null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "The request body must be a JSON object.");
        }
        return scan;
    }

    /**
     * The body with {@code stream_options.include_usage} set. Without {@code stream_options} the member is written in
     * front of the others, the caller's bytes left as they are; otherwise (rare: options given without usage) the body
     * is parsed, changed and written again.
     */
    private Buffer withUsageAsked(Buffer body, BodyScan scan) {
        int brace = firstNonBlank(body);
        if (!scan.streamOptions && brace >= 0 && body.getByte(brace) == '{') {
            // The object has members: 'stream' is one, or usage would not be asked for.
            return Buffer.buffer(body.length() + INCLUDE_USAGE.length).appendBuffer(body, 0, brace + 1)
                    .appendBytes(INCLUDE_USAGE).appendBuffer(body, brace + 1, body.length() - brace - 1);
        }
        ObjectNode json = tree(body);
        JsonNode options = json.path("stream_options");
        ObjectNode streamOptions = options.isObject() ? (ObjectNode) options : json.putObject("stream_options");
        streamOptions.put("include_usage", true);
        return Buffer.buffer(serialize(json));
    }

    private static int firstNonBlank(Buffer body) {
        for (int i = 0; i < body.length(); i++) {
            byte b = body.getByte(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return i;
            }
        }
        return -1;
    }

    /** The tree of a body already read: for the rare change that needs one. */
    private ObjectNode tree(Buffer body) {
        try {
            return (ObjectNode) mapper.readTree(body.getBytes());
        } catch (IOException e) {
            throw new IllegalStateException("A body read as a JSON object parses again", e);
        }
    }

    private byte[] serialize(JsonNode json) {
        try {
            return mapper.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A parsed JSON tree always serializes", e);
        }
    }
}
