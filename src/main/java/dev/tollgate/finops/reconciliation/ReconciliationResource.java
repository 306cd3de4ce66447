package dev.tollgate.finops.reconciliation;

import dev.tollgate.identity.Roles;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.reporting.ReportParameters;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.sql.SQLException;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The reconciliation with the Azure bill: operators upload Cost Management's exports of the Azure OpenAI resources
 * (kept as uploaded), readers see a month of the bill beside Tollgate's metering. Blocking JDBC on a worker thread.
 */
@Path("/api/reconciliation")
public class ReconciliationResource {

    static final String CSV = "text/csv";

    private final CostExportReader reader;
    private final ReconciliationStore store;
    private final Reconciler reconciler;
    private final SecurityIdentity identity;

    public ReconciliationResource(CostExportReader reader, ReconciliationStore store, Reconciler reconciler,
                                  SecurityIdentity identity) {
        this.reader = reader;
        this.store = store;
        this.reconciler = reconciler;
        this.identity = identity;
    }

    @POST
    @Path("/imports")
    @RolesAllowed(Roles.ADMIN)
    @Consumes(CSV)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a Cost Management export (FOCUS, or the classic actual cost CSV) of the Azure OpenAI "
            + "resources, as the CSV body; read in full, then kept, or refused whole")
    @APIResponse(responseCode = "201", description = "Kept", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = StoredImport.class)))
    @APIResponse(responseCode = "400", description = "Not readable: the message names the line and the column")
    @APIResponse(responseCode = "403", description = "The token lacks the tollgate.admin role")
    public Response upload(
            @Parameter(description = "The file's name, kept with it") @QueryParam("fileName") String fileName,
            String body) throws SQLException {
        CostExport export;
        try {
            export = reader.read(body);
        } catch (InvalidCostExportException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        StoredImport stored = store.save(export, fileName, uploader(), body);
        return Response.status(Response.Status.CREATED).entity(stored).build();
    }

    @GET
    @Path("/imports")
    @RolesAllowed(Roles.ADMIN)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Every upload, newest first")
    public List<StoredImport> imports() throws SQLException {
        return store.all();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Produces({MediaType.APPLICATION_JSON, CSV})
    @Operation(summary = "A month of the Azure bill beside Tollgate's metering, per resource, UTC day and meter, each "
            + "line classified, with the share of the bill Tollgate accounts for")
    @APIResponse(responseCode = "200", description = "The reconciliation", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Reconciliation.class)),
            @Content(mediaType = CSV)})
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    @APIResponse(responseCode = "404", description = "No upload has lines in that month")
    @APIResponse(responseCode = "403", description = "The token lacks the chargeback.reader role")
    public Response reconciliation(
            @Parameter(description = "The month, YYYY-MM (UTC); default this month") @QueryParam("month") String month,
            @Parameter(description = "csv or json; default from the Accept header, else json")
            @QueryParam("format") String format,
            @Context HttpHeaders headers) throws SQLException {
        YearMonth period = month(month);
        boolean csv = ReportParameters.wantsCsv(format, headers);
        Reconciliation reconciliation = reconciler.reconcile(period).orElseThrow(() -> new GatewayException(
                ErrorCode.NOT_FOUND, "No uploaded Azure cost export has lines in " + period + ": upload one with "
                + "POST /api/reconciliation/imports."));
        if (csv) {
            return Response.ok(ReconciliationCsv.of(reconciliation), CSV + "; charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"reconciliation-" + period + ".csv\"")
                    .build();
        }
        return Response.ok(reconciliation, MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Who uploads: the calling app's id (azp, else appid), else the token's name. */
    private String uploader() {
        if (identity.getPrincipal() instanceof JsonWebToken token) {
            for (String claim : new String[] {"azp", "appid"}) {
                Object value = token.getClaim(claim);
                if (value != null) {
                    return value.toString();
                }
            }
        }
        return identity.getPrincipal().getName();
    }

    private static YearMonth month(String month) {
        if (month == null || month.isBlank()) {
            return YearMonth.now(ZoneOffset.UTC);
        }
        try {
            return YearMonth.parse(month.trim());
        } catch (DateTimeParseException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'month' must be a month such as 2026-03; got '"
                    + month + "'.");
        }
    }
}
