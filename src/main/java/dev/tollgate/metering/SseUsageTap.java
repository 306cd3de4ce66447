package dev.tollgate.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Usage from a streamed answer, whatever its event format: cuts the stream into events, finds the usage object and
 * the model served in the events that carry them, and keeps the events for their text; where in an event those are,
 * and which events are passed on, each format says ({@link ChatSseUsageTap}, {@link ResponsesSseUsageTap}).
 *
 * <p>Most events carry nothing but a few tokens of text, so an event is parsed only if a look at its bytes says it
 * may carry what the meter needs: a {@code "usage"} field whose value is an object, or a {@code "model"} field while
 * the model is not known yet. The text of the answer, needed only to estimate usage that never came, is not read as
 * it passes: the events are kept compactly ({@link EventLog}) and read only when {@link #outputText()} is asked for.
 */
abstract class SseUsageTap implements UsageTap {

    private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
    private static final String USAGE_KEY = "\"usage\"";
    private static final String ESCAPE = "\\u00";

    private final ObjectMapper mapper;
    private final SseEventSplitter splitter = new SseEventSplitter();
    private final EventLog events = new EventLog();
    private final Finder usageKeys = new Finder(USAGE_KEY);
    private final Finder modelKeys = new Finder("\"model\"");
    private final Finder escapes = new Finder(ESCAPE);
    private String model;
    private Usage usage;

    SseUsageTap(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The object in the event that holds the usage and the model, if any. */
    abstract JsonNode usageHolder(JsonNode event);

    /** Whether an event that carries usage is passed on to the caller. */
    abstract boolean passOn(JsonNode event);

    /** Adds the text the event carries, if any, to {@code output}. */
    abstract void appendText(JsonNode event, StringBuilder output);

    @Override
    public Buffer onChunk(Buffer chunk) {
        return splitter.feed(chunk, this::inspect);
    }

    @Override
    public Buffer onEnd() {
        Buffer rest = splitter.remainder();
        if (rest.length() > 0) {
            byte[] bytes = rest.getBytes();
            inspect(bytes, new String(bytes, StandardCharsets.ISO_8859_1), 0, bytes.length);
        }
        return rest;
    }

    /** Looks at the event {@code bytes[from, to)} ({@code text}: the same as ISO-8859-1); returns whether to pass it on. */
    private boolean inspect(byte[] bytes, String text, int from, int to) {
        events.add(bytes, from, to);
        boolean mayCarry = mayCarryUsage(bytes, text, from, to)
                || (model == null && modelKeys.find(text, from, to) >= 0)
                || escapedLetters(text, from, to);
        if (!mayCarry) {
            return true;
        }
        JsonNode json = data(bytes, from, to);
        if (json == null || !json.isObject()) {
            return true;
        }
        JsonNode holder = usageHolder(json);
        // Azure's first chunk (prompt filter results) carries "model": "", the later ones the model served.
        if (model == null && !holder.path("model").asText("").isEmpty()) {
            model = holder.path("model").asText();
        }
        JsonNode usageNode = holder.path("usage");
        if (!usageNode.isObject()) {
            return true;
        }
        usage = Usage.reported(UsageFields.numbers(usageNode));
        return passOn(json);
    }

    /**
     * Whether the event holds {@code "usage"} followed by a colon and an object, or by a line break (data continued on
     * the next {@code data:} line), where a full parse must tell. Without it no field named {@code usage} has an
     * object for value, unless its name is written with escapes ({@link #escapedLetters}).
     */
    private boolean mayCarryUsage(byte[] bytes, String text, int from, int to) {
        for (int at = usageKeys.find(text, from, to); at >= 0; at = usageKeys.find(text, at + 1, to)) {
            int i = skipBlanks(bytes, at + USAGE_KEY.length(), to);
            if (i < to && bytes[i] == ':') {
                i = skipBlanks(bytes, i + 1, to);
            }
            if (i < to && (bytes[i] == '{' || bytes[i] == '\n' || bytes[i] == '\r')) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the event holds an escape that could spell a lower-case letter (a backslash, {@code u00}, then 6 or 7):
     * a field name could then be {@code usage} or {@code model} without those bytes appearing as such. No encoder
     * writes letters that way, so this is all but never true.
     */
    private boolean escapedLetters(String text, int from, int to) {
        for (int at = escapes.find(text, from, to); at >= 0; at = escapes.find(text, at + 1, to)) {
            int digit = at + ESCAPE.length();
            if (digit >= to || text.charAt(digit) == '6' || text.charAt(digit) == '7') {
                return true;
            }
        }
        return false;
    }

    private static int skipBlanks(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        return i;
    }

    /**
     * Finds a pattern in the text of one chunk, event after event: an occurrence found beyond the event asked about
     * is kept for the events after it, so that a chunk is searched once however many events it holds.
     */
    private static final class Finder {

        private final String pattern;
        private String text;
        /** The next occurrence at or after the last position asked about; MAX_VALUE: none left in the text. */
        private int next;

        Finder(String pattern) {
            this.pattern = pattern;
        }

        /** The first occurrence within {@code text[from, to)}, or -1; {@code from} never goes back within one text. */
        int find(String text, int from, int to) {
            if (text != this.text) {
                this.text = text;
                next = -1;
            }
            if (next < from) {
                int found = text.indexOf(pattern, from);
                next = found < 0 ? Integer.MAX_VALUE : found;
            }
            return next <= to - pattern.length() ? next : -1;
        }
    }

    /** The generated text, read from the events kept. */
    @Override
    public String outputText() {
        StringBuilder output = new StringBuilder();
        events.forEach(event -> {
            JsonNode json = data(event, 0, event.length);
            if (json != null && json.isObject()) {
                appendText(json, output);
            }
        });
        return output.toString();
    }

    /** The JSON of the event's data line(s), or null for [DONE], comments and anything unreadable. */
    private JsonNode data(byte[] bytes, int from, int to) {
        StringBuilder data = null;
        int lineStart = from;
        for (int i = from; i <= to; i++) {
            if (i < to && bytes[i] != '\n') {
                continue;
            }
            int lineEnd = i > lineStart && bytes[i - 1] == '\r' ? i - 1 : i;
            if (startsWith(bytes, lineStart, lineEnd, DATA)) {
                int start = lineStart + DATA.length;
                if (start < lineEnd && bytes[start] == ' ') {
                    start++;
                }
                data = data == null ? new StringBuilder() : data.append('\n');
                data.append(new String(bytes, start, lineEnd - start, StandardCharsets.UTF_8));
            }
            lineStart = i + 1;
        }
        if (data == null || data.isEmpty() || data.charAt(0) != '{') {
            return null;
        }
        try {
            return mapper.readTree(data.toString());
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    @Override
    public Optional<String> model() {
        return Optional.ofNullable(model);
    }
}
