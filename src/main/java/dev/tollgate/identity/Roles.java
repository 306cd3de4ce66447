package dev.tollgate.identity;

/**
 * The app roles the report and admin APIs require, for {@code @RolesAllowed}. In Entra they are app roles that each
 * organisation names in its own app registration, so the names are configuration ({@link IdentityConfig#roles()});
 * these constants are the expressions Quarkus security resolves from it.
 */
public final class Roles {

    /** May read chargeback reports and budgets. */
    public static final String READER = "${tollgate.identity.roles.reader}";
    /** May change routing, the app registry, prices and limits. */
    public static final String ADMIN = "${tollgate.identity.roles.admin}";

    private Roles() {
    }
}
