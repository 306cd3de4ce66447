package dev.tollgate.reporting;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * What each app, business unit, cost center, model, deployment or backend cost over a period, by day or month, in
 * JSON or CSV. Blocking JDBC: Quarkus REST runs it on a worker thread.
 */
@Path("/api/chargeback")
public class ChargebackResource {

    /** The role a caller's token must carry to read usage and cost. */
    public static final String READER_ROLE = "chargeback.reader";

    public static final String CSV = "text/csv";
    /** PostgreSQL's "invalid parameter value", e.g. a time zone its tz database does not know. */
    private static final String INVALID_PARAMETER = "22023";

    private final ChargebackQuery query;

    public ChargebackResource(ChargebackQuery query) {
        this.query = query;
    }

    @GET
    @RolesAllowed(READER_ROLE)
    @Produces({MediaType.APPLICATION_JSON, CSV})
    @Operation(summary = "Cost and tokens over a period of local days, grouped any way, with the grand total")
    @APIResponse(responseCode = "200", description = "The report", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChargebackReport.class)),
            @Content(mediaType = CSV)})
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    @APIResponse(responseCode = "403", description = "The token lacks the chargeback.reader role")
    public Response chargeback(
            @Parameter(description = "First local day, inclusive (ISO date); default the first of this month")
            @QueryParam("from") String from,
            @Parameter(description = "Day after the last, exclusive (ISO date); default a month after 'from'")
            @QueryParam("to") String to,
            @Parameter(description = "Any of app, businessUnit, costCenter, model, deployment, backend, day, month; "
                    + "comma-separated or repeated; none gives the total only")
            @QueryParam("groupBy") List<String> groupBy,
            @Parameter(description = "IANA time zone days are counted in, e.g. Europe/Paris; default UTC")
            @QueryParam("tz") String tz,
            @Parameter(description = "csv or json; default from the Accept header, else json")
            @QueryParam("format") String format,
            @Context HttpHeaders headers) throws SQLException {
        ZoneId zone = zone(tz);
        LocalDate start = from == null ? LocalDate.now(zone).withDayOfMonth(1) : date("from", from);
        LocalDate end = to == null ? start.plusMonths(1) : date("to", to);
        if (!start.isBefore(end)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' must be before 'to'.");
        }
        List<ChargebackGrouping> groupings = ChargebackGrouping.parse(groupBy);
        ChargebackReport report;
        try {
            report = query.run(start, end, zone, groupings);
        } catch (SQLException e) {
            if (INVALID_PARAMETER.equals(e.getSQLState())) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "The database does not know time zone '" + tz + "'.");
            }
            throw e;
        }
        if (wantsCsv(format, headers)) {
            return Response.ok(ChargebackCsv.of(report, groupings), CSV + "; charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"chargeback-" + start + "-" + end + ".csv\"")
                    .build();
        }
        return Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Whether to answer CSV: the format parameter, else the Accept header (JSON unless CSV is preferred). */
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
    private static ZoneId zone(String tz) {
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

    private static LocalDate date(String name, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "'" + name + "' must be an ISO date such as 2026-11-01; got '" + value + "'.");
        }
    }
}
