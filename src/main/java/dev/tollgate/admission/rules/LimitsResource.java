package dev.tollgate.admission.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.errors.AoaiError;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.List;


/**
 * The admission rules: per-app, business-unit, cost-center and default limits (docs/admission.md). Bodies are read by
 * {@link RuleJson} and checked by {@link LimitRules}, so every flaw is a 400 that says what is wrong. A change reaches
 * every replica within one exchange interval. Blocking JDBC: runs on a worker thread.
 */
@Path("/api/limits")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class LimitsResource {

    private static final Logger LOG = Logger.getLogger(LimitsResource.class);

    private final RuleStore store;
    private final RuleJson json;

    public LimitsResource(RuleStore store, ObjectMapper mapper) {
        this.store = store;
        this.json = new RuleJson(mapper);
    }

    @GET
    @Operation(summary = "Every admission rule, by id")
    @APIResponse(responseCode = "200", description = "The rules",
            content = @Content(schema = @Schema(implementation = RuleDocument.class, type =
                    org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY)))
    public List<ObjectNode> list() throws SQLException {
        return store.all().stream().map(StoredRule::toJson).toList();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One admission rule")
    @APIResponse(responseCode = "200", description = "The rule",
            content = @Content(schema = @Schema(implementation = RuleDocument.class)))
    @APIResponse(responseCode = "404", description = "No such rule")
    public ObjectNode get(@Parameter(description = "The rule id") @PathParam("id") String id) throws SQLException {
        return store.find(id).map(StoredRule::toJson).orElseThrow(() -> notFound(id));
    }

    @PUT
    @Path("/{id}")
    @Operation(summary = "Create a rule, or replace all of a rule (idempotent): 201 if it was new")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RuleDocument.class)))
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(schema = @Schema(implementation = RuleDocument.class)))
    @APIResponse(responseCode = "200", description = "Replaced",
            content = @Content(schema = @Schema(implementation = RuleDocument.class)))
    @APIResponse(responseCode = "400", description = "Malformed or contradictory rule (AOAI error shape)")
    @APIResponse(responseCode = "409", description = "Another rule has the same subject and scope")
    public Response put(@PathParam("id") String id, String body, @Context UriInfo uri) throws SQLException {
        LimitRules.checkId(id);
        LimitRule rule = LimitRules.check(json.read(id, body));
        RuleStore.Put put = store.put(rule, true);
        if (put.outcome() == RuleStore.Outcome.CREATED) {
            LOG.infof("Admission rule %s created", id);
            return Response.created(uri.getAbsolutePath()).entity(put.rule().toJson()).build();
        }
        if (put.outcome() == RuleStore.Outcome.UPDATED) {
            LOG.infof("Admission rule %s replaced", id);
        }
        return Response.ok(put.rule().toJson()).build();
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Change some fields of a rule (JSON merge patch: null removes a field)")
    @RequestBody(required = true, content = @Content(mediaType = "application/merge-patch+json",
            schema = @Schema(implementation = RuleDocument.class)))
    @APIResponse(responseCode = "200", description = "The changed rule",
            content = @Content(schema = @Schema(implementation = RuleDocument.class)))
    @APIResponse(responseCode = "400", description = "Malformed patch, or the result is not a valid rule")
    @APIResponse(responseCode = "404", description = "No such rule")
    public ObjectNode patch(@PathParam("id") String id, String body) throws SQLException {
        StoredRule changed = store.change(id, current -> LimitRules.check(json.patch(current, body)))
                .orElseThrow(() -> notFound(id));
        LOG.infof("Admission rule %s changed", id);
        return changed.toJson();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Remove a rule; its counts stop mattering at once")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "No such rule")
    public Response delete(@PathParam("id") String id) throws SQLException {
        if (!store.delete(id)) {
            throw notFound(id);
        }
        LOG.infof("Admission rule %s removed", id);
        return Response.noContent().build();
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRuleException e) {
        return respond(400, ErrorCode.BAD_REQUEST.with(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response conflict(RuleConflictException e) {
        return respond(409, ErrorCode.CONFLICT.with(e.getMessage()));
    }

    private static GatewayException notFound(String id) {
        return new GatewayException(ErrorCode.NOT_FOUND, "No admission rule '" + LimitRules.printable(id) + "'.");
    }

    private static Response respond(int status, AoaiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    /** A rule's JSON, for the OpenAPI document ({@link RuleJson} reads and writes it). */
    @Schema(name = "LimitRule", description = "An admission rule (docs/admission.md). id, createdAt and updatedAt "
            + "are shown by GET and may be sent back (id must be the path's)")
    public record RuleDocument(
            @Schema(readOnly = true, description = "Letters and digits, then also _ . : -; up to 64") String id,
            @Schema(required = true) SubjectDocument subject,
            @Schema(description = "Scope: only requests for this deployment") String deployment,
            @Schema(description = "Scope: only requests whose deployment name is of this model family, e.g. gpt-4o")
            String modelFamily,
            @Schema(description = "Tokens per rolling minute (estimate at admission, real usage after)")
            Long tokensPerMinute,
            @Schema(description = "Requests per rolling minute") Long requestsPerMinute,
            QuotaDocument tokenQuota,
            BudgetDocument budget,
            @Schema(enumeration = {"hard", "soft"}, defaultValue = "hard",
                    description = "Quotas and budgets: hard refuses with 403 when spent, soft only alerts")
            String enforcement,
            @Schema(defaultValue = "[50, 80, 100]", description = "Percentages of a quota or budget that alert")
            List<Integer> alertThresholds,
            @Schema(description = "The only deployments the subject may call (unscoped rules only)")
            List<String> allowedDeployments,
            @Schema(description = "The only model families the subject may call (unscoped rules only)")
            List<String> allowedModelFamilies,
            String description,
            @Schema(readOnly = true) String createdAt,
            @Schema(readOnly = true) String updatedAt) {
    }

    @Schema(name = "LimitSubject")
    public record SubjectDocument(
            @Schema(required = true, enumeration = {"app", "businessUnit", "costCenter", "default"}) String type,
            @Schema(description = "App id, business unit or cost center; absent for default") String id) {
    }

    @Schema(name = "TokenQuota", description = "Tokens per calendar period in tollgate.admission.time-zone")
    public record QuotaDocument(Long hour, Long day, Long month) {
    }

    @Schema(name = "CostBudget", description = "Amounts in the price catalog's currency (numbers or decimal strings)")
    public record BudgetDocument(BigDecimal month, BigDecimal day) {
    }
}
