package dev.tollgate.reporting;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.ZoneId;
import java.util.List;

/** Chargeback reports ({@code tollgate.reporting.*}). */
@ConfigMapping(prefix = "tollgate.reporting")
public interface ReportingConfig {

    /**
     * Time zones whose local days the daily rollups (and the capacity allocation's daily totals) are kept for. A
     * report in one of them reads the rollups; in any other zone it sums the usage records and allocation lines
     * themselves (same figures, slower over long periods). Adding a zone back-fills its rollups at the next start.
     */
    @WithDefault("UTC")
    List<ZoneId> rollupZones();
}
