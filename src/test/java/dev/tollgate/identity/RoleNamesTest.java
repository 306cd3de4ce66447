package dev.tollgate.identity;

import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * Role names are configuration: the test profile names the admin role {@code Tollgate.Admin}, as an organisation
 * would in its Entra app registration, so the default name no longer opens the admin APIs, and the reader role keeps
 * its default.
 */
@QuarkusTest
class RoleNamesTest {

    @Test
    void theConfiguredAdminRoleNameOpensTheAdminApis() {
        given().auth().oauth2(TestTokens.withRoles("ops-app", "Tollgate.Admin")).get("/api/backends")
                .then().statusCode(200);
        given().auth().oauth2(TestTokens.withRoles("ops-app", "Tollgate.Admin")).get("/api/apps")
                .then().statusCode(200);
    }

    @Test
    void theDefaultAdminRoleNameIsRefusedOnceAnotherIsConfigured() {
        given().auth().oauth2(TestTokens.withRoles("ops-app", "tollgate.admin")).get("/api/backends")
                .then().statusCode(403).body("error.code", equalTo("403"));
        given().auth().oauth2(TestTokens.withRoles("ops-app", "tollgate.admin")).get("/api/prices")
                .then().statusCode(403);
    }

    @Test
    void theReaderRoleKeepsItsDefaultName() {
        given().auth().oauth2(TestTokens.withRoles("finance-app", "chargeback.reader")).get("/api/chargeback")
                .then().statusCode(200);
        given().auth().oauth2(TestTokens.withRoles("finance-app", "Tollgate.Admin")).get("/api/chargeback")
                .then().statusCode(403);
    }
}
