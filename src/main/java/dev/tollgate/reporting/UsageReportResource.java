package dev.tollgate.reporting;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Token totals per app, model, deployment or day. Blocking JDBC: Quarkus REST runs it on a worker thread. */
@Path("/api/usage")
@Produces(MediaType.APPLICATION_JSON)
public class UsageReportResource {

    /** The role a caller's token must carry to read usage and cost. */
    public static final String READER_ROLE = "chargeback.reader";

    private final UsageReportQuery query;

    public UsageReportResource(UsageReportQuery query) {
        this.query = query;
    }

    @GET
    @RolesAllowed(READER_ROLE)
    @Operation(summary = "Token totals over a period, grouped by app, model, deployment or day (UTC)")
    public UsageReport usage(
            @Parameter(description = "Start, inclusive: an ISO date (UTC midnight) or instant; default 30 days before 'to'")
            @QueryParam("from") String from,
            @Parameter(description = "End, exclusive: an ISO date (UTC midnight) or instant; default now")
            @QueryParam("to") String to,
            @Parameter(description = "app (default), model, deployment or day")
            @QueryParam("groupBy") String groupBy) throws SQLException {
        Instant end = to == null ? Instant.now() : instant("to", to);
        Instant start = from == null ? end.minus(Duration.ofDays(30)) : instant("from", from);
        if (!start.isBefore(end)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' must be before 'to'.");
        }
        return query.run(start, end, UsageGrouping.parse(groupBy));
    }

    private static Instant instant(String name, String value) {
        try {
            return value.length() == 10
                    ? LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC)
                    : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "'" + name + "' must be an ISO date (2026-11-01) or instant (2026-11-01T00:00:00Z); got '" + value + "'.");
        }
    }
}
