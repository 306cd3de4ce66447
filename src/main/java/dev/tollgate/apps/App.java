package dev.tollgate.apps;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A row of the {@code app} table (V3 migration; Flyway owns the schema). Read it freely; change apps through
 * {@link AppStore}, which keeps {@code updated_at} and is safe against concurrent writers and replicas: the
 * timestamps here are the database's and never written by Hibernate.
 */
@Entity
@Table(name = "app")
public class App extends PanacheEntityBase {

    @Id
    @Column(name = "app_id")
    public String appId;

    @Column(name = "display_name", nullable = false)
    public String displayName;

    @Column(name = "business_unit", nullable = false)
    public String businessUnit;

    @Column(name = "cost_center", nullable = false)
    public String costCenter;

    @Column(name = "owner_contact")
    public String ownerContact;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "tags", nullable = false, columnDefinition = "jsonb")
    public Map<String, String> tags = new HashMap<>();

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", insertable = false, updatable = false)
    public Instant updatedAt;

    public RegisteredApp toRegisteredApp() {
        return new RegisteredApp(appId, displayName, businessUnit, costCenter, ownerContact, tags);
    }

    StoredApp toStoredApp() {
        return StoredApp.of(toRegisteredApp(), createdAt, updatedAt);
    }
}
