package dev.tollgate.simulator;

/**
 * One server-sent event. Chat and completions streams send bare {@code data:} lines; the Responses API names every
 * event with an {@code event:} line that repeats the payload's {@code type}.
 *
 * @param name the {@code event:} field, or {@code null} for a bare data event
 * @param data the payload of the {@code data:} line (one line of JSON, or {@code [DONE]})
 */
record SseEvent(String name, String data) {

    static SseEvent data(String data) {
        return new SseEvent(null, data);
    }

    static SseEvent named(String name, String data) {
        return new SseEvent(name, data);
    }

    /** The event as written on the wire, terminated by the blank line that ends an event. */
    String wire() {
        return (name == null ? "" : "event: " + name + "\n") + "data: " + data + "\n\n";
    }
}
