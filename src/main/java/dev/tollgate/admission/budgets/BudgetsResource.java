package dev.tollgate.admission.budgets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tollgate.identity.Roles;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import static dev.tollgate.reporting.ReportParameters.CSV;
import static dev.tollgate.reporting.ReportParameters.wantsCsv;

/**
 * Where every quota and budget stands in its current period: limit, spent (exact + in flight), remaining, share used
 * and the forecast to the period's end, in JSON or CSV. Blocking JDBC: runs on a worker thread.
 */
@Path("/api/budgets")
public class BudgetsResource {

    private static final CsvMapper CSV_MAPPER = CsvMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    private static final CsvSchema SCHEMA = CSV_MAPPER.schemaFor(BudgetLine.class).withHeader();

    private final BudgetQuery query;

    public BudgetsResource(BudgetQuery query) {
        this.query = query;
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Produces({MediaType.APPLICATION_JSON, CSV})
    @Operation(summary = "Every quota and budget in its current period, cluster-wide (as of the last exchange)")
    @APIResponse(responseCode = "200", description = "One line per rule, subject, period and measure", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BudgetLine.class, type = SchemaType.ARRAY)),
            @Content(mediaType = CSV)})
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    @APIResponse(responseCode = "403", description = "The token lacks the chargeback.reader role")
    public Response budgets(@Parameter(description = "csv or json; default from the Accept header, else json")
                            @QueryParam("format") String format, @Context HttpHeaders headers)
            throws SQLException, JsonProcessingException {
        List<BudgetLine> lines = query.lines(Instant.now());
        if (wantsCsv(format, headers)) {
            List<BudgetLine> cells = lines.stream().map(BudgetLine::forSpreadsheet).toList();
            return Response.ok(CSV_MAPPER.writer(SCHEMA).writeValueAsString(cells), CSV + "; charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"budgets.csv\"").build();
        }
        return Response.ok(lines, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
