package dev.tollgate.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The server-sent events of a streamed answer, in Azure's order: a prompt-filter event with no choices, one chunk per
 * token, a chunk with the finish reason, the usage chunk only when {@code stream_options.include_usage} is set, and
 * finally {@code [DONE]}. Every string returned is the payload of one {@code data:} line. Responses streams have their
 * own event grammar, in {@link ResponsesStreamPayloads}.
 */
final class StreamPayloads {

    static final String DONE = "[DONE]";

    private StreamPayloads() {
    }

    static List<SseEvent> events(AoaiCall call, TokenUsage usage) {
        if (call.operation() == Operation.RESPONSES) {
            return ResponsesStreamPayloads.events(call, usage);
        }
        List<String> data = call.operation() == Operation.CHAT ? chat(call, usage) : completion(call, usage);
        return data.stream().map(SseEvent::data).toList();
    }

    static List<String> chat(AoaiCall call, TokenUsage usage) {
        Chunks chunks = new Chunks(call, AoaiJson.newId("chatcmpl-"), "chat.completion.chunk");
        List<String> events = new ArrayList<>();
        events.add(chunks.promptFilter());
        List<String> tokens = LoremText.tokens(usage.visibleTokens());
        for (int i = 0; i < tokens.size(); i++) {
            ObjectNode chunk = chunks.chunk();
            ObjectNode choice = chunks.choice(chunk, null);
            ObjectNode delta = choice.putObject("delta");
            if (i == 0) {
                delta.put("role", "assistant"); // the first delta announces the speaker, as Azure does
            }
            delta.put("content", tokens.get(i));
            events.add(chunks.finish(chunk));
        }
        ObjectNode last = chunks.chunk();
        chunks.choice(last, usage.finishReason()).putObject("delta");
        events.add(chunks.finish(last));
        if (call.includeUsage()) {
            events.add(chunks.usage(usage, true));
        }
        events.add(DONE);
        return events;
    }

    static List<String> completion(AoaiCall call, TokenUsage usage) {
        Chunks chunks = new Chunks(call, AoaiJson.newId("cmpl-"), "text_completion");
        List<String> events = new ArrayList<>();
        events.add(chunks.promptFilter());
        for (String token : LoremText.tokens(usage.visibleTokens())) {
            ObjectNode chunk = chunks.chunk();
            chunks.choice(chunk, null).put("text", token);
            events.add(chunks.finish(chunk));
        }
        ObjectNode last = chunks.chunk();
        chunks.choice(last, usage.finishReason()).put("text", "");
        events.add(chunks.finish(last));
        if (call.includeUsage()) {
            events.add(chunks.usage(usage, false));
        }
        events.add(DONE);
        return events;
    }

    /** The fields every chunk of one answer shares. */
    private static final class Chunks {
        private final AoaiCall call;
        private final String id;
        private final String object;
        private final long created = AoaiJson.nowEpochSeconds();

        Chunks(AoaiCall call, String id, String object) {
            this.call = call;
            this.id = id;
            this.object = object;
        }

        /** Azure's first event carries only the prompt's filter results, with blank id, model and object. */
        String promptFilter() {
            ObjectNode root = AoaiJson.object();
            root.putArray("choices");
            root.put("created", 0).put("id", "").put("model", "").put("object", "");
            root.set("prompt_filter_results", AoaiJson.promptFilterResults());
            return finish(root);
        }

        ObjectNode chunk() {
            ObjectNode root = AoaiJson.object()
                    .put("id", id)
                    .put("object", object)
                    .put("created", created)
                    .put("model", call.model());
            if (call.operation() == Operation.CHAT) {
                root.put("system_fingerprint", AoaiJson.fingerprint(call.model()));
            }
            return root;
        }

        ObjectNode choice(ObjectNode chunk, String finishReason) {
            ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            choice.putNull("logprobs");
            choice.putObject("content_filter_results");
            return choice;
        }

        String usage(TokenUsage usage, boolean withDetails) {
            ObjectNode root = chunk();
            root.putArray("choices");
            root.set("usage", AoaiJson.usage(usage, withDetails));
            return AoaiJson.write(root);
        }

        /** With include_usage every chunk but the usage one carries {@code "usage": null}, like the real service. */
        String finish(ObjectNode chunk) {
            if (call.includeUsage()) {
                chunk.putNull("usage");
            }
            return AoaiJson.write(chunk);
        }
    }
}
