package dev.tollgate.metering;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteArrayFeeder;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON usage tap as it was first written, Jackson's non-blocking parser over every token of the body: the reference
 * {@link JsonUsageTap} must agree with (see {@code UsageTapEquivalenceTest}). Test code only.
 */
final class ReferenceJsonUsageTap implements UsageTap {

    /** Field names are not interned or canonicalized: a fresh parser per answer would pay for it every time. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();
    private static final int MAX_DEPTH = 16;

    private final JsonParser parser;
    private final ByteArrayFeeder feeder;
    private final String[] names = new String[MAX_DEPTH + 1];
    private final Map<String, Long> usageFields = new HashMap<>();
    private int depth;
    private String model;
    /** Only a usage object read to its end is trusted: a body cut or garbled inside it yields none. */
    private boolean usageComplete;
    private boolean unreadable;

    ReferenceJsonUsageTap() {
        try {
            this.parser = FACTORY.createNonBlockingByteArrayParser();
        } catch (IOException e) {
            throw new IllegalStateException("Jackson cannot create a non-blocking parser", e);
        }
        this.feeder = (ByteArrayFeeder) parser.getNonBlockingInputFeeder();
    }

    @Override
    public Buffer onChunk(Buffer chunk) {
        if (!unreadable && chunk.length() > 0) {
            read(chunk);
        }
        return chunk;
    }

    @Override
    public Buffer onEnd() {
        return Buffer.buffer();
    }

    private void read(Buffer chunk) {
        try {
            feeder.feedInput(chunk.getBytes(), 0, chunk.length());
            JsonToken token;
            while ((token = parser.nextToken()) != null && token != JsonToken.NOT_AVAILABLE) {
                accept(token);
            }
        } catch (IOException | RuntimeException e) {
            unreadable = true;
        }
    }

    private void accept(JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT, START_ARRAY -> {
                depth++;
                if (depth <= MAX_DEPTH) {
                    names[depth] = null;
                }
            }
            case END_OBJECT, END_ARRAY -> {
                if (depth == 2 && "usage".equals(names[1]) && token == JsonToken.END_OBJECT) {
                    usageComplete = true;
                }
                depth--;
            }
            case FIELD_NAME -> {
                if (depth <= MAX_DEPTH) {
                    names[depth] = parser.currentName();
                }
            }
            case VALUE_STRING -> {
                if (depth == 1 && "model".equals(names[1])) {
                    model = parser.getText();
                }
            }
            case VALUE_NUMBER_INT -> {
                if (depth >= 2 && depth <= MAX_DEPTH && "usage".equals(names[1])) {
                    usageFields.put(path(), parser.getLongValue());
                }
            }
            default -> {
                // other values carry nothing the meter needs
            }
        }
    }

    /** The dotted path of the current field inside the usage object, e.g. {@code prompt_tokens_details.cached_tokens}. */
    private String path() {
        if (depth == 2) {
            return names[2];
        }
        StringBuilder path = new StringBuilder(names[2]);
        for (int level = 3; level <= depth; level++) {
            path.append('.').append(names[level]);
        }
        return path.toString();
    }

    @Override
    public Optional<Usage> usage() {
        return usageComplete && !usageFields.isEmpty() ? Optional.of(Usage.reported(usageFields)) : Optional.empty();
    }

    @Override
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }

    /** Not kept: a JSON answer that completes carries its usage, and one that does not completed nothing. */
    @Override
    public String outputText() {
        return "";
    }
}
