package dev.tollgate.reporting;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.Roles;
import dev.tollgate.pricing.PricingConfig;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The single priced usage records of a period, for audit: what an app team reads to dispute a line, and what a
 * reconciling tool joins on ({@code upstreamRequestId} is the backend's {@code apim-request-id}). Filtered, paged by a
 * keyset cursor, JSON or CSV, streamed from a database cursor so that a large page is never held in memory.
 */
@Path("/api/usage/records")
public class UsageRecordsResource {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;
    private static final Logger LOG = Logger.getLogger(UsageRecordsResource.class);

    private final RecordsQuery query;
    private final ObjectMapper mapper;
    private final PricingConfig pricing;

    public UsageRecordsResource(RecordsQuery query, ObjectMapper mapper, PricingConfig pricing) {
        this.query = query;
        this.mapper = mapper;
        this.pricing = pricing;
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Produces({MediaType.APPLICATION_JSON, ReportParameters.CSV})
    @Operation(summary = "The single priced usage records of a period, filtered, a page at a time")
    @APIResponse(responseCode = "200", description = "A page of records; the next page's cursor is 'next' in JSON "
            + "and in the Link header (rel=next), absent on the last page", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON), @Content(mediaType = ReportParameters.CSV)})
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    @APIResponse(responseCode = "403", description = "The token lacks the chargeback.reader role")
    public Response records(
            @Parameter(description = "Start, inclusive: an ISO instant with offset (2026-11-03T14:05:00Z) or an ISO "
                    + "date (the start of that day in tz); default the first of this month")
            @QueryParam("from") String from,
            @Parameter(description = "End, exclusive, as 'from'; default a month after 'from'")
            @QueryParam("to") String to,
            @Parameter(description = "IANA time zone that dates in from/to start in; default UTC")
            @QueryParam("tz") String tz,
            @Parameter(description = "Only this app id") @QueryParam("app") String app,
            @Parameter(description = "Only this user (as reports show it: the oid, or its hash)")
            @QueryParam("user") String user,
            @Parameter(description = "Only this served model") @QueryParam("model") String model,
            @Parameter(description = "Only this deployment, as callers name it") @QueryParam("deployment") String deployment,
            @Parameter(description = "Only this backend id") @QueryParam("backend") String backend,
            @Parameter(description = "Only the record with this apim-request-id")
            @QueryParam("upstreamRequestId") String upstreamRequestId,
            @Parameter(description = "The 'next' cursor of the previous page") @QueryParam("after") String after,
            @Parameter(description = "Records per page, 1 to 100000; default 1000") @QueryParam("limit") String limit,
            @Parameter(description = "csv or json; default from the Accept header, else json")
            @QueryParam("format") String format,
            @Context HttpHeaders headers, @Context UriInfo uri) throws SQLException {
        ZoneId zone = ReportParameters.zone(tz);
        Instant start = from == null ? LocalDate.now(zone).withDayOfMonth(1).atStartOfDay(zone).toInstant()
                : ReportParameters.instantOrDay("from", from, zone);
        Instant end = to == null ? start.atZone(zone).plusMonths(1).toInstant()
                : ReportParameters.instantOrDay("to", to, zone);
        if (!start.isBefore(end)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' must be before 'to'.");
        }
        RecordsQuery.Filter filter = new RecordsQuery.Filter(start, end, blankIsNull(app), blankIsNull(user),
                blankIsNull(model), blankIsNull(deployment), blankIsNull(backend), blankIsNull(upstreamRequestId));
        RecordsQuery.Page page = query.page(filter, after == null ? null : RecordCursor.decode(after), limit(limit));
        boolean csv = ReportParameters.wantsCsv(format, headers);

        StreamingOutput body = out -> {
            RecordsWriter writer = csv ? new RecordsCsv(out) : new RecordsJson(mapper, out);
            writer.start(page, pricing.currency());
            try {
                query.stream(page, writer);
            } catch (SQLException e) {
                // The status is sent already: the client sees a truncated body (a CSV without its last line, JSON
                // that does not parse), never a complete-looking page.
                LOG.errorf(e, "Usage records stopped streaming");
                throw new IOException("Usage records stopped streaming", e);
            }
            writer.finish();
        };
        Response.ResponseBuilder response = Response.ok(body,
                csv ? ReportParameters.CSV + "; charset=UTF-8" : MediaType.APPLICATION_JSON);
        if (page.next() != null) {
            response.link(uri.getRequestUriBuilder().replaceQueryParam("after", page.next().encode()).build(), "next");
        }
        if (csv) {
            response.header("Content-Disposition", "attachment; filename=\"usage-records.csv\"");
        }
        return response.build();
    }

    private static int limit(String limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new GatewayException(ErrorCode.BAD_REQUEST,
                "'limit' must be a whole number from 1 to " + MAX_LIMIT + "; got '" + limit + "'.");
    }

    private static String blankIsNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
