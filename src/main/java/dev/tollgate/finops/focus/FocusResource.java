package dev.tollgate.finops.focus;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.Roles;
import dev.tollgate.reporting.ReportParameters;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The period's charges as a FOCUS 1.2 dataset (FinOps Open Cost and Usage Specification), in CSV or JSON Lines, for
 * FinOps tools to ingest as they ingest a cloud bill. Days are UTC, as FOCUS requires.
 */
@Path("/api/chargeback/focus")
public class FocusResource {

    /** Tokens of the period left out for want of a price; 0 when every token is charged. */
    public static final String UNPRICED_TOKENS_HEADER = "X-Tollgate-Unpriced-Tokens";
    static final String CSV = "text/csv";
    static final String JSON_LINES = "application/jsonl";

    private static final Logger LOG = Logger.getLogger(FocusResource.class);

    private final FocusExport export;
    private final ObjectMapper json;

    public FocusResource(FocusExport export, ObjectMapper json) {
        this.export = export;
        this.json = json;
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Produces({CSV, JSON_LINES})
    @Operation(summary = "The period's charges as a FOCUS 1.2 dataset: one row per UTC day, app, resource, model, "
            + "price and token class")
    @APIResponse(responseCode = "200", description = "The dataset; header " + UNPRICED_TOKENS_HEADER
            + " counts the tokens left out for want of a price", content = {@Content(mediaType = CSV),
            @Content(mediaType = JSON_LINES)})
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    @APIResponse(responseCode = "403", description = "The token lacks the chargeback.reader role")
    public Response focus(
            @Parameter(description = "First UTC day, inclusive (ISO date); default the first of this month")
            @QueryParam("from") String from,
            @Parameter(description = "Day after the last, exclusive (ISO date); default a month after 'from'")
            @QueryParam("to") String to,
            @Parameter(description = "csv or jsonl; default from the Accept header, else csv")
            @QueryParam("format") String format,
            @Context HttpHeaders headers) throws SQLException {
        LocalDate start = from == null ? LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1) : ReportParameters.date("from", from);
        LocalDate end = to == null ? start.plusMonths(1) : ReportParameters.date("to", to);
        if (!start.isBefore(end)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' must be before 'to'.");
        }
        boolean jsonLines = wantsJsonLines(format, headers);
        Charges charges = export.of(start, end);
        if (charges.unpricedTokens() > 0) {
            LOG.warnf("FOCUS export %s..%s leaves out %d tokens that no price applied to; add the prices and reprice",
                    start, end, charges.unpricedTokens());
        }
        StreamingOutput body = out -> {
            if (jsonLines) {
                FocusJsonLines.write(charges.rows(), json, out);
            } else {
                FocusCsv.write(charges.rows(), json, out);
            }
        };
        String extension = jsonLines ? "jsonl" : "csv";
        return Response.ok(body, (jsonLines ? JSON_LINES : CSV) + "; charset=UTF-8")
                .header(UNPRICED_TOKENS_HEADER, charges.unpricedTokens())
                .header("Content-Disposition", "attachment; filename=\"focus-" + start + "-" + end + "." + extension
                        + "\"")
                .build();
    }

    private static boolean wantsJsonLines(String format, HttpHeaders headers) {
        if (format != null) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "jsonl" -> true;
                case "csv" -> false;
                default -> throw new GatewayException(ErrorCode.BAD_REQUEST, "'format' must be csv or jsonl.");
            };
        }
        for (MediaType accepted : headers.getAcceptableMediaTypes()) { // most preferred first
            if (accepted.isWildcardType() || accepted.isCompatible(MediaType.valueOf(CSV))) {
                return false;
            }
            if (accepted.isCompatible(MediaType.valueOf(JSON_LINES))
                    || accepted.isCompatible(MediaType.valueOf("application/x-ndjson"))) {
                return true;
            }
        }
        return false;
    }
}
