package dev.tollgate.metering;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Singleton;

/** Picks the usage tap for an answer, by its content type and the operation asked. */
@Singleton
public class UsageTaps {

    private static final String EVENT_STREAM = "text/event-stream";
    private static final String RESPONSES = "responses";

    private final ObjectMapper mapper;

    public UsageTaps(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * A new tap, for one answer.
     *
     * @param operationPath the operation asked, e.g. {@code chat/completions} or {@code responses}
     * @param contentType   the answer's content type, empty if it has none
     * @param usageInjected whether the gateway added {@code stream_options.include_usage} to the request, so that the
     *                      usage-only chunk it brings is the gateway's to withhold
     */
    public UsageTap forAnswer(String operationPath, String contentType, boolean usageInjected) {
        if (!contentType.startsWith(EVENT_STREAM)) {
            return new JsonUsageTap();
        }
        return RESPONSES.equals(operationPath) ? new ResponsesSseUsageTap(mapper)
                : new ChatSseUsageTap(mapper, usageInjected);
    }
}
