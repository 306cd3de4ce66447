package dev.tollgate.lifecycle;

import dev.tollgate.support.ScratchDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schema step of the start against a real PostgreSQL and the application's own migrations, where a separate step
 * migrates ({@code tollgate.db.migrate=false}; migrating, the default, is what every test's start does); a database
 * that is down is "not yet", never a failed start.
 */
class SchemaTest {

    private final ScratchDatabase database = new ScratchDatabase("schema");

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void withMigrationsLeftToOthersASchemaTheyBroughtUpToDateIsValidatedAndLeftAsItIs() throws Exception {
        long applied = database.queryLong("select count(*) from flyway_schema_history");

        assertThat(new Schema(flyway(database.dataSource(), "flyway_schema_history"), false).bringUpToDate()).isTrue();

        assertThat(database.queryLong("select count(*) from flyway_schema_history")).isEqualTo(applied);
    }

    @Test
    void withMigrationsLeftToOthersASchemaTheyHaveNotMigratedFailsTheStartSayingWhat() {
        // A history table of its own: to this Flyway, none of the application's migrations has been applied.
        Schema schema = new Schema(flyway(database.dataSource(), "history_of_another_step"), false);

        assertThatThrownBy(schema::bringUpToDate).isInstanceOf(FlywayException.class)
                .hasMessageContaining("not applied");
    }

    @Test
    void aDatabaseThatIsDownIsNotReachedYetEitherWay() {
        DataSource down = ScratchDatabase.unreachable();

        assertThat(new Schema(flyway(down, "flyway_schema_history"), true).bringUpToDate()).isFalse();
        assertThat(new Schema(flyway(down, "flyway_schema_history"), false).bringUpToDate()).isFalse();
    }

    private static Flyway flyway(DataSource dataSource, String historyTable) {
        return Flyway.configure().dataSource(dataSource).table(historyTable).baselineOnMigrate(false).load();
    }
}
