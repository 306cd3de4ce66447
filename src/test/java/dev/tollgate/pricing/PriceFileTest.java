package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriceFileTest {

    private static final String HEADER = "model,model_version,deployment_type,region,currency,input_per_1m,"
            + "cached_input_per_1m,output_per_1m,effective_from,effective_to\n";

    @Test
    void readsRowsWithOptionalCellsAndComments() throws Exception {
        List<PriceRow> rows = PriceFile.read(new StringReader("# a comment\n" + HEADER
                + "GPT-4o,2024-08-06,global,,USD,2.50,1.25,10.00,2024-10-01,\n"
                + "\n"
                + "gpt-4o-mini,,Data-Zone,SwedenCentral,USD,0.165,,0.66,2025-01-01T12:00:00Z,2026-01-01\n"), "file:test.csv");

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).isEqualTo(new PriceRow("gpt-4o", Optional.of("2024-08-06"), DeploymentType.GLOBAL,
                Optional.empty(), "USD", new BigDecimal("2.50"), Optional.of(new BigDecimal("1.25")),
                new BigDecimal("10.00"), Instant.parse("2024-10-01T00:00:00Z"), Optional.empty(), "file:test.csv",
                Optional.empty()));
        assertThat(rows.get(1).deploymentType()).isEqualTo(DeploymentType.DATA_ZONE);
        assertThat(rows.get(1).region()).contains("swedencentral");
        assertThat(rows.get(1).cachedInputPer1m()).isEmpty();
        assertThat(rows.get(1).effectiveTo()).contains(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void aBadLineIsNamed() {
        assertThatThrownBy(() -> PriceFile.read(new StringReader(HEADER
                + "gpt-4o,,global,,USD,2.50,,10.00,2024-10-01,\n"
                + "gpt-4o,,global,,USD,2,50,,10.00,2024-10-01\n"), "file:bad.csv"))
                .isInstanceOf(InvalidPriceFileException.class).hasMessageContaining("bad.csv line 3");
        assertThatThrownBy(() -> PriceFile.read(new StringReader(HEADER
                + "gpt-4o,,serverless,,USD,2.50,,10.00,2024-10-01,\n"), "file:bad.csv"))
                .hasMessageContaining("line 2").hasMessageContaining("serverless");
        assertThatThrownBy(() -> PriceFile.read(new StringReader(HEADER
                + "gpt-4o,,global,,USD,-1,,10.00,2024-10-01,\n"), "file:bad.csv"))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> PriceFile.read(new StringReader(HEADER
                + "gpt-4o,,global,,USD,1,,10.00,2024-10-01,2024-09-01\n"), "file:bad.csv"))
                .hasMessageContaining("effective_to");
        assertThatThrownBy(() -> PriceFile.read(new StringReader("model,currency\ngpt-4o,USD\n"), "file:short.csv"))
                .hasMessageContaining("'deployment_type' is required");
    }

    @Test
    void theShippedSampleCatalogLoads() {
        List<PriceRow> rows = PriceSeeder.read("classpath:pricing/sample-prices.csv");
        assertThat(rows).hasSizeGreaterThan(10).allSatisfy(row -> assertThat(row.currency()).isEqualTo("USD"));
        assertThat(rows).anySatisfy(row -> assertThat(row.model()).isEqualTo("gpt-4o"));
    }
}
