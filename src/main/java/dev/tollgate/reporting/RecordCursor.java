package dev.tollgate.reporting;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a page of usage records ends: the key ({@code occurred_at}, {@code id}) of its last record, the order the
 * records API lists them in. Opaque to clients (base64url), so that its form may change; the next page starts after
 * it, whatever was written meanwhile, unlike an offset.
 */
record RecordCursor(Instant occurredAt, UUID id) {

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((occurredAt + "," + id).getBytes(StandardCharsets.UTF_8));
    }

    static RecordCursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(",", -1);
            if (parts.length == 2) {
                return new RecordCursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            // answered below, as any other malformed cursor
        }
        throw new GatewayException(ErrorCode.BAD_REQUEST,
                "'after' is not a cursor this API handed out (the 'next' of a previous page).");
    }
}
