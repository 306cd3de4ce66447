package dev.tollgate.apps;

import java.util.List;

/**
 * What the organisation's directory (Microsoft Graph) says about an app id that nobody registered by hand.
 *
 * @param displayName   the service principal's display name
 * @param ownerTenantId the tenant that owns the app ({@code appOwnerOrganizationId}): another tenant's for a
 *                      multi-tenant app consented here
 * @param tags          the service principal's tags
 */
public record DirectoryEntry(String appId, String displayName, String ownerTenantId, List<String> tags) {
}
