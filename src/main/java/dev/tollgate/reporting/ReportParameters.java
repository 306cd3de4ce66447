package dev.tollgate.reporting;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** The query parameters the report APIs share, read alike everywhere: each flaw is a 400 that names it. */
public final class ReportParameters {

    public static final String CSV = "text/csv";

    private ReportParameters() {
    }

    /** {@code format} if given (csv or json), else the most preferred of the two in Accept, else JSON. */
    public static boolean wantsCsv(String format, HttpHeaders headers) {
        if (format != null) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "csv" -> true;
                case "json" -> false;
                default -> throw new GatewayException(ErrorCode.BAD_REQUEST, "'format' must be csv or json.");
            };
        }
        MediaType csv = MediaType.valueOf(CSV);
        for (MediaType accepted : headers.getAcceptableMediaTypes()) { // most preferred first
            if (accepted.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return false;
            }
            if (accepted.isCompatible(csv)) {
                return true;
            }
        }
        return false;
    }

    /** A named zone (or UTC): fixed offsets are refused, their sign means the opposite in PostgreSQL's POSIX form. */
    static ZoneId zone(String tz) {
        if (tz == null || tz.isBlank() || tz.equalsIgnoreCase("UTC") || tz.equals("Z")) {
            return ZoneId.of("UTC");
        }
        try {
            ZoneId zone = ZoneId.of(tz);
            if (zone instanceof ZoneOffset) {
                throw new DateTimeException("a fixed offset");
            }
            return zone;
        } catch (DateTimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "'tz' must be an IANA time zone name such as Europe/Paris or UTC; got '" + tz + "'.");
        }
    }

    public static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "'" + name + "' must be an ISO date such as 2026-11-01; got '" + value + "'.");
        }
    }

    /** An instant with its offset ({@code 2026-11-03T14:05:00Z}, {@code …+01:00}), or a day starting in the zone. */
    static Instant instantOrDay(String name, String value, ZoneId zone) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notAnInstant) {
            try {
                return LocalDate.parse(value).atStartOfDay(zone).toInstant();
            } catch (DateTimeParseException notADay) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "'" + name + "' must be an ISO instant with its "
                        + "offset such as 2026-11-03T14:05:00Z, or an ISO date such as 2026-11-01; got '" + value + "'.");
            }
        }
    }
}
