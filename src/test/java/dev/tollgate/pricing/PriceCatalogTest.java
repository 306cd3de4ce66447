package dev.tollgate.pricing;

import dev.tollgate.routing.DeploymentType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PriceCatalogTest {

    private static final Instant JAN = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant MAR = Instant.parse("2026-03-01T00:00:00Z");
    private static final Tokens TOKENS = new Tokens(1_000, 400, 200);

    private static Price price(long id, String version, DeploymentType type, String region, String input,
                               Instant from, Instant to) {
        return new Price(id, new PriceRow("gpt-4o", Optional.ofNullable(version), type, Optional.ofNullable(region),
                "USD", new BigDecimal(input), Optional.empty(), new BigDecimal("10"), from, Optional.ofNullable(to),
                "test", Optional.empty()));
    }

    @Test
    void theMostSpecificRowInForceWinsThenTheLatest() {
        PriceCatalog catalog = new PriceCatalog(1, List.of(
                price(1, null, DeploymentType.GLOBAL, null, "2.50", JAN, null),
                price(2, null, DeploymentType.GLOBAL, null, "2.00", MAR, null),
                price(3, "2024-08-06", DeploymentType.GLOBAL, null, "3.00", JAN, null),
                price(4, null, DeploymentType.GLOBAL, "swedencentral", "2.75", JAN, null),
                price(5, null, DeploymentType.REGIONAL, null, "9.99", JAN, null)));

        assertThat(catalog.price("gpt-4o-2024-11-20", DeploymentType.GLOBAL, "eastus", Instant.parse("2026-02-01T00:00:00Z"), TOKENS).priceId()).isEqualTo(1L);
        assertThat(catalog.price("gpt-4o-2024-11-20", DeploymentType.GLOBAL, "eastus", MAR, TOKENS).priceId()).isEqualTo(2L);
        assertThat(catalog.price("gpt-4o-2024-11-20", DeploymentType.GLOBAL, "swedencentral", MAR, TOKENS).priceId()).isEqualTo(4L);
        assertThat(catalog.price("gpt-4o-2024-08-06", DeploymentType.GLOBAL, "swedencentral", MAR, TOKENS).priceId()).isEqualTo(3L);
        assertThat(catalog.price("GPT-4o-2024-08-06", DeploymentType.REGIONAL, null, MAR, TOKENS).priceId()).isEqualTo(5L);
    }

    @Test
    void effectiveToIsExclusiveAndBeforeTheFirstRowNothingApplies() {
        Instant end = Instant.parse("2026-02-01T00:00:00Z");
        PriceCatalog catalog = new PriceCatalog(1, List.of(price(1, null, DeploymentType.GLOBAL, null, "2.50", JAN, end)));

        assertThat(catalog.price("gpt-4o", DeploymentType.GLOBAL, null, end.minusNanos(1000), TOKENS).priceId()).isEqualTo(1L);
        assertThat(catalog.price("gpt-4o", DeploymentType.GLOBAL, null, end, TOKENS).unpriced()).isTrue();
        assertThat(catalog.price("gpt-4o", DeploymentType.GLOBAL, null, JAN.minusSeconds(1), TOKENS).unpriced()).isTrue();
    }

    @Test
    void withoutAPriceTokensAreUnpricedButNoTokensCostNothing() {
        PriceCatalog empty = new PriceCatalog(0, List.of());

        assertThat(empty.price("gpt-4o", DeploymentType.GLOBAL, null, MAR, TOKENS)).isEqualTo(new Priced(null, null));
        assertThat(empty.price(null, null, null, MAR, new Tokens(0, 0, 0)).cost()).isEqualByComparingTo("0");
        assertThat(empty.price(null, null, null, MAR, TOKENS).unpriced()).isTrue();
    }

    @Test
    void costIsExactPerMillionWithCachedInputAtItsOwnPriceOrTheInputPrice() {
        PriceRow withCached = new PriceRow("gpt-4o", Optional.empty(), DeploymentType.GLOBAL, Optional.empty(), "USD",
                new BigDecimal("2.50"), Optional.of(new BigDecimal("1.25")), new BigDecimal("10.00"), JAN,
                Optional.empty(), "test", Optional.empty());
        PriceRow withoutCached = new PriceRow("gpt-4o", Optional.empty(), DeploymentType.GLOBAL, Optional.empty(),
                "USD", new BigDecimal("0.165"), Optional.empty(), new BigDecimal("0.66"), JAN, Optional.empty(), "test",
                Optional.empty());

        // (1000 - 400) x 2.50 + 400 x 1.25 + 200 x 10.00 = 1500 + 500 + 2000 = 4000 per 1M
        assertThat(CostCalculator.cost(withCached, TOKENS)).isEqualByComparingTo("0.004");
        // 1000 x 0.165 + 200 x 0.66 = 297 per 1M, exactly
        assertThat(CostCalculator.cost(withoutCached, TOKENS)).isEqualByComparingTo("0.000297");
        assertThat(CostCalculator.cost(withoutCached, new Tokens(1, 0, 0)).toPlainString()).isEqualTo("0.000000165");
        // An upstream reporting more cached than input tokens never gets a negative uncached part.
        assertThat(CostCalculator.cost(withCached, new Tokens(100, 150, 0))).isEqualByComparingTo("0.000125");
    }

    @Test
    void servedNamesSplitIntoFamilyAndVersion() {
        assertThat(ModelName.parse("gpt-4o-2024-08-06")).isEqualTo(new ModelName("gpt-4o", Optional.of("2024-08-06")));
        assertThat(ModelName.parse("gpt-4o-mini-2024-07-18")).isEqualTo(new ModelName("gpt-4o-mini", Optional.of("2024-07-18")));
        assertThat(ModelName.parse("gpt-35-turbo-0125")).isEqualTo(new ModelName("gpt-35-turbo", Optional.of("0125")));
        assertThat(ModelName.parse("text-embedding-3-small")).isEqualTo(new ModelName("text-embedding-3-small", Optional.empty()));
        assertThat(ModelName.parse("gpt-4.1")).isEqualTo(new ModelName("gpt-4.1", Optional.empty()));
    }
}
