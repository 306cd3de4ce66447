package dev.tollgate.apps;

import dev.tollgate.identity.Roles;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.errors.AoaiError;
import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.PersistenceException;
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

import java.util.Comparator;
import java.util.List;
import java.util.Map;


/**
 * The app registry: who each Entra app id is and what it is charged to. Bodies are read by {@link AppJson} rather
 * than bound, so that every flaw of one is a 400 that says what is wrong. Blocking: runs on a worker thread.
 */
@Path("/api/apps")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class AppsResource {

    private static final Logger LOG = Logger.getLogger(AppsResource.class);

    private final AppStore store;
    private final AppJson json;

    public AppsResource(AppStore store, ObjectMapper mapper) {
        this.store = store;
        this.json = new AppJson(mapper);
    }

    @GET
    @Operation(summary = "Every registered app, by app id")
    public List<StoredApp> list() {
        return App.<App>listAll().stream().map(App::toStoredApp)
                .sorted(Comparator.comparing(StoredApp::appId)).toList();
    }

    @GET
    @Path("/{appId}")
    @Operation(summary = "One registered app")
    public StoredApp get(@Parameter(description = "The Entra app id (azp / appid of its tokens)")
                         @PathParam("appId") String appId) {
        if (!AppRules.isPossibleAppId(appId)) {
            throw notRegistered(appId);
        }
        return App.<App>findByIdOptional(appId).map(App::toStoredApp).orElseThrow(() -> notRegistered(appId));
    }

    @PUT
    @Path("/{appId}")
    @Operation(summary = "Register an app, or replace all of a registered app's values (idempotent): 201 if it was new")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = AppInput.class)))
    @APIResponse(responseCode = "201", description = "Registered",
            content = @Content(schema = @Schema(implementation = StoredApp.class)))
    @APIResponse(responseCode = "200", description = "Was registered: now has these values",
            content = @Content(schema = @Schema(implementation = StoredApp.class)))
    @APIResponse(responseCode = "400", description = "Invalid body or app id")
    public Response put(@PathParam("appId") String appId, String body, @Context UriInfo uri) {
        RegisteredApp app = AppRules.check(json.replacement(appId, body));
        AppStore.Put put = store.put(app, true);
        if (put.outcome() == AppStore.Outcome.CREATED) {
            LOG.infof("App %s registered", appId);
            return Response.created(uri.getAbsolutePath()).entity(put.app()).build();
        }
        if (put.outcome() == AppStore.Outcome.UPDATED) {
            LOG.infof("App %s changed", appId);
        }
        return Response.ok(put.app()).build();
    }

    @PATCH
    @Path("/{appId}")
    @Operation(summary = "Change some of a registered app's values (JSON merge patch; tags merge key by key, null removes)")
    @RequestBody(required = true, content = @Content(mediaType = "application/merge-patch+json",
            schema = @Schema(implementation = AppInput.class)))
    public StoredApp patch(@PathParam("appId") String appId, String body) {
        StoredApp changed = store.change(appId, current -> AppRules.check(json.merged(current, body)))
                .orElseThrow(() -> notRegistered(appId));
        LOG.infof("App %s changed", appId);
        return changed;
    }

    @DELETE
    @Path("/{appId}")
    @Operation(summary = "Remove an app from the registry; its usage stays, reported as unregistered")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "Not registered")
    public Response delete(@PathParam("appId") String appId) {
        if (!store.delete(appId)) {
            throw notRegistered(appId);
        }
        LOG.infof("App %s removed from the registry", appId);
        return Response.noContent().build();
    }

    @ServerExceptionMapper
    public Response invalid(InvalidAppException e) {
        return respond(400, ErrorCode.BAD_REQUEST.with(e.getMessage()));
    }

    @ServerExceptionMapper
    public Response database(PersistenceException e) {
        LOG.warnf("Database unavailable for the app registry: %s", e.getMessage());
        return respond(503, ErrorCode.SERVICE_UNAVAILABLE.with("The app registry database is unavailable; retry later."));
    }

    private static GatewayException notRegistered(String appId) {
        return new GatewayException(ErrorCode.NOT_FOUND, "App '" + AppRules.printable(appId) + "' is not registered.");
    }

    private static Response respond(int status, AoaiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    /** The body of PUT and PATCH, for the OpenAPI document ({@link AppJson} reads it). */
    @Schema(name = "AppInput", description = "An app's values; appId, createdAt and updatedAt may be sent back as "
            + "GET shows them (appId must be the path's) and are otherwise ignored")
    public record AppInput(
            @Schema(required = true, maxLength = AppRules.MAX_DISPLAY_NAME, description = "What reports call the app")
            String displayName,
            @Schema(required = true, maxLength = AppRules.MAX_BUSINESS_UNIT, description = "Business unit charged")
            String businessUnit,
            @Schema(required = true, maxLength = AppRules.MAX_COST_CENTER, description = "Cost center charged")
            String costCenter,
            @Schema(maxLength = AppRules.MAX_OWNER_CONTACT, description = "Who to ask about the app; null for none")
            String ownerContact,
            @Schema(description = "Up to 50 string labels; keys of letters, digits and _ . : / -, up to 64 "
                    + "characters; values up to 256")
            Map<String, String> tags) {
    }
}
