package dev.tollgate.bench;

import dev.tollgate.pricing.PriceSeeder;
import dev.tollgate.pricing.PriceStore;
import dev.tollgate.pricing.PricingConfig;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.List;

/** The shipped sample price catalog, loaded into a benchmark's database as the gateway loads it at start. */
final class SampleCatalog {

    /** The catalog settings of a default start: USD, no seed files of its own. */
    static final PricingConfig USD = new PricingConfig() {
        @Override
        public String currency() {
            return "USD";
        }

        @Override
        public List<String> seedFiles() {
            return List.of();
        }
    };

    private SampleCatalog() {
    }

    static void load(DataSource dataSource) throws SQLException {
        new PriceStore(dataSource, USD).add(PriceSeeder.read("classpath:pricing/sample-prices.csv"));
    }
}
