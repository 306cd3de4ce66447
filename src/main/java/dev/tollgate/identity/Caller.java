package dev.tollgate.identity;

import java.util.Set;

/**
 * Who is calling: the Entra application (the unit of chargeback) and where its token came from.
 *
 * @param appId    the client application id: {@code azp} of a v2 token, {@code appid} of a v1 token; null only between
 *                 {@link CallerResolver} and {@link IdentityStage#enter}, which refuses such a token
 * @param tenantId the Entra tenant ({@code tid})
 * @param objectId the service principal or user object id ({@code oid})
 * @param roles    app roles granted to the caller ({@code roles})
 * @param userId   the signed-in user a delegated token acts for, as recorded ({@link UserIds}: the {@code oid} or a
 *                 keyed hash of it); null for an app-only token, which acts for no user
 */
public record Caller(String appId, String tenantId, String objectId, Set<String> roles, String userId) {
}
