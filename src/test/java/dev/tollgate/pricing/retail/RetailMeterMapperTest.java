package dev.tollgate.pricing.retail;

import dev.tollgate.routing.DeploymentType;
import dev.tollgate.pricing.PriceRow;
import dev.tollgate.pricing.retail.MeterNames.Component;
import dev.tollgate.pricing.retail.RetailMeterMapper.RetailMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** How meters become price rows, item by item: no HTTP, no Quarkus. */
class RetailMeterMapperTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            gpt-4o-0806-Inp-glbl                  | gpt-4o                 | 2024-08-06 | GLOBAL    | INPUT
            gpt 4o 0806 cached Inp Data Zone      | gpt-4o                 | 2024-08-06 | DATA_ZONE | CACHED_INPUT
            gpt-4o-0806-Outp-regnl                | gpt-4o                 | 2024-08-06 | REGIONAL  | OUTPUT
            gpt 4o 0513 Input global              | gpt-4o                 | 2024-05-13 | GLOBAL    | INPUT
            gpt 4o 1120 Outp Data Zone            | gpt-4o                 | 2024-11-20 | DATA_ZONE | OUTPUT
            gpt-4o-mini-0718-Inp-glbl             | gpt-4o-mini            | 2024-07-18 | GLOBAL    | INPUT
            gpt 4o mini 0718 cached Inp regnl     | gpt-4o-mini            | 2024-07-18 | REGIONAL  | CACHED_INPUT
            o3 mini 0131 cached input Data Zone   | o3-mini                | 2025-01-31 | DATA_ZONE | CACHED_INPUT
            o1 mini output glbl                   | o1-mini                | -          | GLOBAL    | OUTPUT
            o4-mini 0416 cached Inp DataZone      | o4-mini                | 2025-04-16 | DATA_ZONE | CACHED_INPUT
            gpt 4.1 Inp glbl                      | gpt-4.1                | -          | GLOBAL    | INPUT
            gpt 4.1 mini cached Inp DZone         | gpt-4.1-mini           | -          | DATA_ZONE | CACHED_INPUT
            gpt 4.1 nano Outp regnl               | gpt-4.1-nano           | -          | REGIONAL  | OUTPUT
            GPT 5 Mini cchd Inpt Glbl             | gpt-5-mini             | -          | GLOBAL    | CACHED_INPUT
            GPT 5 outpt DZone                     | gpt-5                  | -          | DATA_ZONE | OUTPUT
            5.4 cd inp Gl                         | gpt-5.4                | -          | GLOBAL    | CACHED_INPUT
            5.4 mini opt Gl                       | gpt-5.4-mini           | -          | GLOBAL    | OUTPUT
            GPT 5 pro inp glbl                    | gpt-5-pro              | -          | GLOBAL    | INPUT
            o3 deep research Inpt DZone           | o3-deep-research       | -          | DATA_ZONE | INPUT
            chat-latest 08062026 inp Gl           | chat-latest            | 2026-08-06 | GLOBAL    | INPUT
            text-embedding-3-small-glbl           | text-embedding-3-small | -          | GLOBAL    | INPUT
            text embedding 3 large DZ             | text-embedding-3-large | -          | DATA_ZONE | INPUT
            text-embedding-3-small-regional       | text-embedding-3-small | -          | REGIONAL  | INPUT
            embedding-ada-glbl                    | text-embedding-ada-002 | -          | GLOBAL    | INPUT
            computer-use-inpt-rgnl                | computer-use           | -          | REGIONAL  | INPUT
            gpt 4.1 Inp                           | gpt-4.1                | -          | REGIONAL  | INPUT
            """)
    void readsModelVersionDeploymentTypeAndKindFromTheName(String name, String family, String version,
                                                           DeploymentType type, Component component) {
        MeterNames.Result result = MeterNames.parse(name, LocalDate.parse("2025-06-01"));

        assertThat(result).isEqualTo(new MeterNames.Parsed(
                new MeterNames.Name(family, Optional.ofNullable(version), type, component)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            gpt-4o-0806-Batch-Inp-glbl            | batch
            gpt 4o mini0718 BatchOutp DataZone    | batch
            Provisioned Managed Data Zone         | provisioned throughput
            o4 mini ft hosting Dz                 | fine-tuning
            gpt-4.1-mini Grader Inp glbl          | fine-tuning
            Az-Image-Dall-E-3                     | image
            Image 2 img opt Gl                    | image
            gpt-4o-aud-1217 Inp glbl              | audio
            gpt4omini-aud1217 Outp DZone          | audio
            gpt-4o-rt-txt-1217 cchd Inp glbl      | audio or realtime
            gpt4o realtime prvw text inp glbl     | audio or realtime
            gpt-4o-mini-tts-aud-out-glbl          | audio
            5.4 longco inp Gl                     | long-context
            5.4 pp inp Gl                         | priority processing
            54 mini Inp Flex Gl                   | flex processing
            6-sol ShortCo Cd Wr Std Gl            | cache write
            """)
    void ignoresMetersThatAreNotTokenPricesForTheCatalog(String skuName, String reason) {
        assertThat(MeterNames.ignoredReason(skuName, skuName + " Tokens")).hasValueSatisfying(
                why -> assertThat(why).contains(reason));
    }

    @Test
    void tokenMetersOfTheStandardTiersAreNotIgnored() {
        for (String name : List.of("gpt-4o-0806-Inp-glbl", "GPT 5 Mini cchd Inpt Glbl", "6-sol ShortCo Inp Std Gl",
                "text-embedding-3-small-glbl", "o3 mini 0131 cached input regnl")) {
            assertThat(MeterNames.ignoredReason(name, name + " Tokens")).as(name).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            gpt-35-turbo16K-0125 Inp-glbl         | context size
            gpt-4-8K-Input-regional               | context size
            gpt 4o 1120 Requests                  | neither input, cached input nor output
            gpt 4o 1120 Inp glbl regnl            | two deployment types
            Inp glbl                              | no model name
            """)
    void rejectsNamesItCannotRead(String name, String reason) {
        assertThat(MeterNames.parse(name, LocalDate.parse("2025-06-01")))
                .isInstanceOfSatisfying(MeterNames.Rejected.class,
                        rejected -> assertThat(rejected.reason()).contains(reason));
    }

    @Test
    void versionsOfUnknownModelsTakeTheYearTheirPriceStartedIn() {
        assertThat(version("gpt 9 0305 Inp glbl", "2026-02-15")).contains("2026-03-05");
        // A version is published around its price, a little before or after: not a year later.
        assertThat(version("gpt 9 1220 Inp glbl", "2027-01-01")).contains("2026-12-20");
        assertThat(version("gpt 9 0401 Inp glbl", "2026-03-01")).contains("2026-04-01");
        // Known versions keep their year whenever they were repriced.
        assertThat(version("gpt-4o-0806-Inp-glbl", "2026-03-01")).contains("2024-08-06");
        // The old four-digit versions stay four digits, as served names have them.
        assertThat(version("gpt 35 turbo 0125 Inp glbl", "2025-01-01")).contains("0125");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            1K         | 1000
            1M         | 1
            1K Tokens  | 1000
            1M Tokens  | 1
            1k tokens  | 1000
            10K        | 100
            100K       | 10
            1000 Tokens| 1000
            """)
    void tokenUnitsGiveTheFactorToPerMillion(String unit, String factor) {
        assertThat(RetailMeterMapper.perMillionFactor(unit)).contains(new BigDecimal(factor));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            1 Hour
            1/Hour
            1/Month
            1/Day
            1
            100
            1 GB/Month
            3M
            """)
    void otherUnitsAreNotTokens(String unit) {
        assertThat(RetailMeterMapper.perMillionFactor(unit)).isEmpty();
    }

    @Test
    void convertsPricesPer1kExactlyWithoutTrailingZeros() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt-4o-mini-0718-Inp-glbl", "0.000165", "1K", "2024-07-18"),
                item("gpt 4o mini 0718 cached Inp glbl", "0.000075", "1K", "2024-07-18"),
                item("gpt-4o-mini-0718-Outp-glbl", "0.00060", "1K", "2024-07-18")));

        PriceRow row = mapping.rows().get(0);
        assertThat(row.inputPer1m()).isEqualTo(new BigDecimal("0.165"));
        assertThat(row.cachedInputPer1m()).contains(new BigDecimal("0.075"));
        assertThat(row.outputPer1m()).isEqualTo(new BigDecimal("0.6"));
        // 1.1E-8 per 1K is 0.000011 per 1M, written out, not in exponent form.
        assertThat(RetailMeterMapper.normalise(new BigDecimal("1.1E-8").multiply(BigDecimal.valueOf(1000)))
                .toString()).isEqualTo("0.000011");
        assertThat(RetailMeterMapper.normalise(new BigDecimal("0.0100").multiply(BigDecimal.valueOf(1000)))
                .toString()).isEqualTo("10");
    }

    @Test
    void combinesTheMetersOfOneModelDeploymentTypeAndRegionIntoOneRow() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt 4.1 Outp glbl", "0.008", "1K", "2025-04-01", "eastus2", "out-e"),
                item("gpt 4.1 Inp glbl", "0.002", "1K", "2025-04-01", "eastus2", "in-e"),
                item("gpt 4.1 Inp glbl", "0.002", "1K", "2025-04-01", "swedencentral", "in-s"),
                item("gpt 4.1 Outp glbl", "0.008", "1K", "2025-04-01", "swedencentral", "out-s"),
                item("gpt 4.1 Inp regnl", "0.0022", "1K", "2025-04-01", "swedencentral", "in-r"),
                item("gpt 4.1 Outp regnl", "0.0088", "1K", "2025-04-01", "swedencentral", "out-r")));

        assertThat(mapping.unmapped()).isEmpty();
        assertThat(mapping.rows()).extracting(PriceRow::deploymentType, row -> row.region().orElseThrow(),
                        PriceRow::inputPer1m, PriceRow::outputPer1m, row -> row.meterIds().orElseThrow())
                .containsExactly(
                        tuple(DeploymentType.GLOBAL, "eastus2", new BigDecimal("2"),
                                new BigDecimal("8"), "in-e,out-e"),
                        tuple(DeploymentType.GLOBAL, "swedencentral",
                                new BigDecimal("2"), new BigDecimal("8"), "in-s,out-s"),
                        tuple(DeploymentType.REGIONAL, "swedencentral",
                                new BigDecimal("2.2"), new BigDecimal("8.8"), "in-r,out-r"));
    }

    @Test
    void aPriceChangeStartsANewRowWithThePricesThenInForce() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt 9 Inp glbl", "0.002", "1K", "2025-04-01", "eastus2", "in-1"),
                item("gpt 9 Outp glbl", "0.008", "1K", "2025-04-01", "eastus2", "out-1"),
                item("gpt 9 Inp glbl", "0.0015", "1K", "2025-09-01", "eastus2", "in-2")));

        assertThat(mapping.unmapped()).isEmpty();
        assertThat(mapping.rows()).extracting(PriceRow::effectiveFrom, PriceRow::inputPer1m, PriceRow::outputPer1m,
                        row -> row.meterIds().orElseThrow())
                .containsExactly(
                        tuple(Instant.parse("2025-04-01T00:00:00Z"),
                                new BigDecimal("2"), new BigDecimal("8"), "in-1,out-1"),
                        tuple(Instant.parse("2025-09-01T00:00:00Z"),
                                new BigDecimal("1.5"), new BigDecimal("8"), "in-2,out-1"));
    }

    @Test
    void aGroupWithoutInputOrOutputIsNotARow() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt 9 Inp glbl", "0.002", "1K", "2025-04-01", "eastus2", "in"),
                item("gpt 9 cached Inp glbl", "0.0005", "1K", "2025-04-01", "eastus2", "cached"),
                item("gpt 8 Outp regnl", "0.008", "1K", "2025-04-01", "eastus2", "out")));

        assertThat(mapping.rows()).isEmpty();
        assertThat(mapping.unmapped()).extracting(UnmappedMeter::meterId, UnmappedMeter::reason, UnmappedMeter::ignored)
                .containsExactlyInAnyOrder(
                        tuple("in", "no output price for gpt-9 (any version) global"
                                + " eastus2 USD in force from 2025-04-01T00:00:00Z", false),
                        tuple("cached", "no output price for gpt-9 (any version) global"
                                + " eastus2 USD in force from 2025-04-01T00:00:00Z", false),
                        tuple("out", "no input price for gpt-8 (any version) regional"
                                + " eastus2 USD in force from 2025-04-01T00:00:00Z", false));
    }

    @Test
    void twoMetersDisagreeingOnOnePriceAreBothReported() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt 9 Inp glbl", "0.002", "1K", "2025-04-01", "eastus2", "in-a"),
                item("gpt-9-Inp-glbl", "0.003", "1K", "2025-04-01", "eastus2", "in-b"),
                item("gpt 9 Outp glbl", "0.008", "1K", "2025-04-01", "eastus2", "out")));

        assertThat(mapping.rows()).isEmpty();
        assertThat(mapping.unmapped()).extracting(UnmappedMeter::meterId).containsExactlyInAnyOrder(
                "in-a", "in-b", "out");
        assertThat(mapping.unmapped().get(0).reason()).isEqualTo("conflicting input prices for gpt-9 (any version)"
                + " global eastus2 USD from 2025-04-01T00:00:00Z: 2, 3 per 1M");
    }

    @Test
    void twoMetersAgreeingOnOnePriceBothBackTheRow() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt 9 Inp glbl", "0.002", "1K", "2025-04-01", "eastus2", "in-a"),
                item("gpt 9 Inp glbl", "2.0", "1M", "2025-04-01", "eastus2", "in-b"),
                item("gpt 9 Outp glbl", "0.008", "1K", "2025-04-01", "eastus2", "out")));

        assertThat(mapping.unmapped()).isEmpty();
        assertThat(mapping.rows()).singleElement().satisfies(row -> {
            assertThat(row.inputPer1m()).isEqualTo(new BigDecimal("2"));
            assertThat(row.meterIds()).contains("in-a,in-b,out");
        });
    }

    @Test
    void onlyConsumptionPricesOfTheFirstTierAreImported() {
        RetailPriceItem devTest = withType(item("gpt 4.1 Inp glbl", "0.002", "1K", "2025-04-01"),
                "DevTestConsumption");
        RetailPriceItem reservation = withType(item("gpt 4.1 Outp glbl", "0.008", "1K", "2025-04-01"),
                "Reservation");
        RetailPriceItem tiered = new RetailPriceItem("USD", new BigDecimal("1000000"), new BigDecimal("0.001"), null,
                "eastus2", "US East 2", "2025-04-01T00:00:00Z", "tier", "gpt 4.1 Inp glbl Tokens", "Azure OpenAI",
                "gpt 4.1 Inp glbl", "Foundry Models", "1K", "Consumption", true);

        RetailMapping mapping = RetailMeterMapper.map(List.of(devTest, reservation, tiered));

        assertThat(mapping.rows()).isEmpty();
        assertThat(mapping.unmapped()).extracting(UnmappedMeter::reason, UnmappedMeter::ignored).containsExactly(
                tuple("price type 'DevTestConsumption' (only Consumption prices are"
                        + " imported)", true),
                tuple("price type 'Reservation' (only Consumption prices are"
                        + " imported)", true),
                tuple("volume tier from 1000000 units (only the first tier is"
                        + " imported)", true));
    }

    @Test
    void theGlobalPseudoRegionIsEveryRegion() {
        RetailMapping mapping = RetailMeterMapper.map(List.of(
                item("gpt 4.1 Inp glbl", "0.002", "1K", "2025-04-01", "Global", "in"),
                item("gpt 4.1 Outp glbl", "0.008", "1K", "2025-04-01", "Global", "out")));

        assertThat(mapping.rows()).singleElement().satisfies(row -> assertThat(row.region()).isEmpty());
    }

    @Test
    void theMeterNameIsReadWhenTheSkuNameIsEmpty() {
        RetailPriceItem input = new RetailPriceItem("USD", BigDecimal.ZERO, new BigDecimal("0.25"), null, "eastus2",
                "US East 2", "2025-08-01T00:00:00Z", "in", "GPT 5 Mini Inpt Glbl 1M Tokens", "Azure OpenAI GPT5", "",
                "Foundry Models", "1M", "Consumption", true);
        RetailPriceItem output = new RetailPriceItem("USD", BigDecimal.ZERO, new BigDecimal("2"), null, "eastus2",
                "US East 2", "2025-08-01T00:00:00Z", "out", "GPT 5 Mini outpt Glbl 1M Tokens", "Azure OpenAI GPT5",
                null, "Foundry Models", "1M", "Consumption", true);

        assertThat(RetailMeterMapper.map(List.of(input, output)).rows()).singleElement()
                .satisfies(row -> assertThat(row.model()).isEqualTo("gpt-5-mini"));
    }

    @Test
    void itemsWithoutAUsablePriceOrDateAreReported() {
        List<RetailPriceItem> items = new ArrayList<>();
        items.add(new RetailPriceItem("USD", BigDecimal.ZERO, null, null, "eastus2", "US East 2",
                "2025-04-01T00:00:00Z", "no-price", "gpt 4.1 Inp glbl Tokens", "Azure OpenAI", "gpt 4.1 Inp glbl",
                "Foundry Models", "1K", "Consumption", true));
        items.add(new RetailPriceItem("USD", BigDecimal.ZERO, new BigDecimal("0.002"), null, "eastus2", "US East 2",
                "April", "no-date", "gpt 4.1 Inp glbl Tokens", "Azure OpenAI", "gpt 4.1 Inp glbl",
                "Foundry Models", "1K", "Consumption", true));

        assertThat(RetailMeterMapper.map(items).unmapped()).extracting(UnmappedMeter::meterId, UnmappedMeter::reason)
                .containsExactly(
                        tuple("no-price", "no usable retailPrice (null)"),
                        tuple("no-date", "no usable effectiveStartDate ('April')"));
    }

    @Test
    void effectiveDatesInTheFormsTheApiUses() {
        assertThat(RetailMeterMapper.instant("2024-08-01T00:00:00Z")).contains(Instant.parse("2024-08-01T00:00:00Z"));
        assertThat(RetailMeterMapper.instant("2024-08-01T00:00:00")).contains(Instant.parse("2024-08-01T00:00:00Z"));
        assertThat(RetailMeterMapper.instant("2024-08-01")).contains(Instant.parse("2024-08-01T00:00:00Z"));
        assertThat(RetailMeterMapper.instant("2024-08-01T02:00:00+02:00"))
                .contains(Instant.parse("2024-08-01T00:00:00Z"));
    }

    private static Optional<String> version(String name, String priceStart) {
        MeterNames.Result result = MeterNames.parse(name, LocalDate.parse(priceStart));
        assertThat(result).as(name).isInstanceOf(MeterNames.Parsed.class);
        return ((MeterNames.Parsed) result).name().version();
    }

    private static RetailPriceItem item(String skuName, String price, String unit, String from) {
        return item(skuName, price, unit, from, "eastus2", skuName + "@" + from);
    }

    private static RetailPriceItem item(String skuName, String price, String unit, String from, String region,
                                        String meterId) {
        return new RetailPriceItem("USD", BigDecimal.ZERO, new BigDecimal(price), new BigDecimal(price), region,
                region, from + "T00:00:00Z", meterId, skuName + (unit.equals("1M") ? " 1M Tokens" : " Tokens"),
                "Azure OpenAI", skuName, "Foundry Models", unit, "Consumption", true);
    }

    private static RetailPriceItem withType(RetailPriceItem item, String type) {
        return new RetailPriceItem(item.currencyCode(), item.tierMinimumUnits(), item.retailPrice(), item.unitPrice(),
                item.armRegionName(), item.location(), item.effectiveStartDate(), item.meterId(), item.meterName(),
                item.productName(), item.skuName(), item.serviceName(), item.unitOfMeasure(), type,
                item.isPrimaryMeterRegion());
    }
}
