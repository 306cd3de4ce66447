package dev.tollgate.reporting;

import dev.tollgate.identity.Roles;
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
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

/**
 * What each app, business unit, cost center, model, deployment or backend cost over a period, by day or month, in
 * JSON or CSV. Blocking JDBC: Quarkus REST runs it on a worker thread.
 */
@Path("/api/chargeback")
public class ChargebackResource {

    /** PostgreSQL's "invalid parameter value", e.g. a time zone its tz database does not know. */
    private static final String INVALID_PARAMETER = "22023";

    private final ChargebackQuery query;

    public ChargebackResource(ChargebackQuery query) {
        this.query = query;
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Produces({MediaType.APPLICATION_JSON, ReportParameters.CSV})
    @Operation(summary = "Cost and tokens over a period of local days, grouped any way, with the grand total")
    @APIResponse(responseCode = "200", description = "The report", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChargebackReport.class)),
            @Content(mediaType = ReportParameters.CSV)})
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    @APIResponse(responseCode = "403", description = "The token lacks the chargeback.reader role")
    public Response chargeback(
            @Parameter(description = "First local day, inclusive (ISO date); default the first of this month")
            @QueryParam("from") String from,
            @Parameter(description = "Day after the last, exclusive (ISO date); default a month after 'from'")
            @QueryParam("to") String to,
            @Parameter(description = "Any of app, businessUnit, costCenter, model, deployment, backend, user, day, month; "
                    + "comma-separated or repeated; none gives the total only")
            @QueryParam("groupBy") List<String> groupBy,
            @Parameter(description = "IANA time zone days are counted in, e.g. Europe/Paris; default UTC")
            @QueryParam("tz") String tz,
            @Parameter(description = "csv or json; default from the Accept header, else json")
            @QueryParam("format") String format,
            @Context HttpHeaders headers) throws SQLException {
        ZoneId zone = ReportParameters.zone(tz);
        LocalDate start = from == null ? LocalDate.now(zone).withDayOfMonth(1) : ReportParameters.date("from", from);
        LocalDate end = to == null ? start.plusMonths(1) : ReportParameters.date("to", to);
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
        if (ReportParameters.wantsCsv(format, headers)) {
            return Response.ok(ChargebackCsv.of(report, groupings), ReportParameters.CSV + "; charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"chargeback-" + start + "-" + end + ".csv\"")
                    .build();
        }
        return Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
