package dev.tollgate.errors;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Renders every failure of the REST APIs (reports, admin) in the AOAI error shape, never with a stack trace. */
public class RestErrorMappers {

    private static final Logger LOG = Logger.getLogger(RestErrorMappers.class);

    @ServerExceptionMapper
    public Response gateway(GatewayException e) {
        return respond(e.code().status(), e.body());
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized() {
        return Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).header("WWW-Authenticate", "Bearer")
                .entity(ErrorCode.UNAUTHORIZED.with("Missing or invalid bearer token.")).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return respond(403, ErrorCode.FORBIDDEN.with("The token does not carry the role this API requires."));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("Request failed", e);
            return respond(500, ErrorCode.INTERNAL.with("The gateway failed to handle the request."));
        }
        String message = e.getMessage() == null ? "The request was rejected." : e.getMessage();
        return respond(status, AoaiError.of(String.valueOf(status), message));
    }

    @ServerExceptionMapper
    public Response database(SQLException e) {
        LOG.warnf("Database unavailable for a report: %s", e.getMessage());
        return respond(503, ErrorCode.SERVICE_UNAVAILABLE.with("The usage database is unavailable; retry later."));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("Request failed", e);
        return respond(500, ErrorCode.INTERNAL.with("The gateway failed to handle the request."));
    }

    private static Response respond(int status, AoaiError body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
