package dev.tollgate.pricing.retail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.routing.DeploymentType;
import dev.tollgate.pricing.PriceRow;
import dev.tollgate.support.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * The import against a fake Retail Prices API on loopback that serves recorded pages (see
 * {@code fixtures/retail-prices/README.md}). The fake listens on the port {@code %test.tollgate.pricing.retail.url}
 * names; tests that need other settings build their own importer on the fake's URL.
 */
@QuarkusTest
class RetailPriceImporterTest {

    /** As in {@code %test.tollgate.pricing.retail.url}. */
    static final int PORT = 28090;

    static FakeRetailPricesApi fake;

    @Inject
    RetailPriceImporter importer;

    @Inject
    RetailPricesConfig config;

    @BeforeAll
    static void startFake() throws IOException {
        fake = new FakeRetailPricesApi(PORT);
    }

    @AfterAll
    static void stopFake() {
        if (fake != null) { // null when the application failed to start: that failure is the one to report
            fake.close();
        }
    }

    @BeforeEach
    void resetFake() {
        fake.reset();
    }

    @Test
    void followsNextPageLinkUntilItIsNull() {
        RetailImportResult result = importer.fetch();

        assertThat(result.pages()).isEqualTo(3);
        assertThat(result.items()).isEqualTo(8 + 12 + 6);
        assertThat(fake.requests).extracting(request -> request.query().get("$skip"))
                .containsExactly(null, "1000", "2000");
    }

    @Test
    void sendsApiVersionFilterAndCurrencyAsQueryParameters() {
        importer.fetch();

        assertThat(fake.requests.get(0).path()).isEqualTo("/api/retail/prices");
        assertThat(fake.requests.get(0).query()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "api-version", "2023-01-01-preview",
                "$filter", RetailPricesConfig.DEFAULT_FILTER,
                "currencyCode", "'USD'"));
        // The next pages carry what their NextPageLink carried: its raw spaces and quotes arrive decoded intact.
        for (FakeRetailPricesApi.Request next : fake.requests.subList(1, 3)) {
            assertThat(next.query()).containsEntry("api-version", "2023-01-01-preview")
                    .containsEntry("$filter", RetailPricesConfig.DEFAULT_FILTER)
                    .containsEntry("currencyCode", "'USD'");
        }
    }

    @Test
    void mapsTokenMetersToExactPricesPerMillion() {
        RetailImportResult result = importer.fetch();

        assertThat(result.rows()).containsExactly(
                row("gpt-4.1", null, DeploymentType.GLOBAL, "eastus2", "2", "0.5", "8", "2025-04-01",
                        ids(2, "gpt 4.1 Inp glbl", "gpt 4.1 cached Inp glbl", "gpt 4.1 Outp glbl")),
                // Cached input was priced two months after input and output: until then it is billed as input.
                row("gpt-4o", "2024-08-06", DeploymentType.GLOBAL, "swedencentral", "2.5", null, "10", "2024-08-01",
                        ids(1, "gpt-4o-0806-Inp-glbl") + "," + ids(3, "gpt-4o-0806-Outp-glbl")),
                row("gpt-4o", "2024-08-06", DeploymentType.GLOBAL, "swedencentral", "2.5", "1.25", "10",
                        "2024-10-01", ids(1, "gpt-4o-0806-Inp-glbl", "gpt 4o 0806 cached Inp glbl") + ","
                                + ids(3, "gpt-4o-0806-Outp-glbl")),
                row("gpt-4o-mini", "2024-07-18", DeploymentType.DATA_ZONE, "eastus2", "0.165", "0.083", "0.66",
                        "2024-11-01", ids(1, "gpt 4o mini 0718 Inp Data Zone", "gpt 4o mini 0718 cached Inp Data Zone",
                                "gpt 4o mini 0718 Outp Data Zone")),
                // Priced per 1M already: no conversion.
                row("gpt-5-mini", null, DeploymentType.GLOBAL, "eastus2", "0.25", "0.025", "2", "2025-08-01",
                        ids(2, "GPT 5 Mini Inpt Glbl", "GPT 5 Mini cchd Inpt Glbl", "GPT 5 Mini outpt Glbl")),
                row("o3-mini", "2025-01-31", DeploymentType.REGIONAL, "swedencentral", "1.21", "0.605", "4.84",
                        "2025-02-01", ids(2, "o3 mini 0131 input regnl", "o3 mini 0131 cached input regnl",
                                "o3 mini 0131 output regnl")),
                // Embeddings have input tokens only.
                row("text-embedding-3-small", null, DeploymentType.GLOBAL, "swedencentral", "0.02", null, "0",
                        "2024-06-01", ids(1, "text-embedding-3-small-glbl")),
                row("text-embedding-3-small", null, DeploymentType.DATA_ZONE, "eastus2", "0.022", null, "0",
                        "2025-01-01", ids(3, "text embedding 3 small DZ")));
        // equals() on BigDecimal compares the scale too; say it once more, plainly, for the 1K conversion.
        PriceRow gpt4o = result.rows().get(2);
        assertThat(gpt4o.inputPer1m()).isEqualTo(new BigDecimal("2.5")).hasScaleOf(1);
        assertThat(gpt4o.outputPer1m()).isEqualTo(new BigDecimal("10")).hasScaleOf(0);
        assertThat(gpt4o.cachedInputPer1m()).contains(new BigDecimal("1.25"));
        assertThat(result.rows()).allSatisfy(row -> {
            assertThat(row.source()).isEqualTo("retail-prices-api");
            assertThat(row.currency()).isEqualTo("USD");
            assertThat(row.effectiveTo()).isEmpty();
        });
    }

    @Test
    void reportsEveryMeterItCouldNotMapWithTheReason() {
        RetailImportResult result = importer.fetch();

        assertThat(result.unmapped())
                .extracting(UnmappedMeter::meterName, UnmappedMeter::ignored)
                .containsExactlyInAnyOrder(
                        tuple("gpt-4o-0806-Batch-Inp-glbl Tokens", true),
                        tuple("Provisioned Managed Global Unit", true),
                        tuple("o4 mini ft hosting Dz Hours", true),
                        tuple("gpt-4o-aud-1217 Inp glbl Tokens", true),
                        tuple("Provisioned Managed Global Unit", true),
                        tuple("Code-Interpreter-global Sessions", true),
                        tuple("Az-Image-Dall-E-3 Standard 1024*1024 Images", true),
                        tuple("gpt 4o 1120 Outp regnl Tokens", false),
                        tuple("gpt-35-turbo16K-0125 Inp-glbl Tokens", false));
        assertThat(result.unmapped()).allSatisfy(meter -> {
            assertThat(meter.meterId()).isNotBlank();
            assertThat(meter.productName()).contains("OpenAI");
            assertThat(meter.reason()).isNotBlank();
        });
        assertThat(reason(result, "gpt-4o-0806-Batch-Inp-glbl Tokens")).contains("batch");
        assertThat(reason(result, "o4 mini ft hosting Dz Hours")).contains("fine-tuning");
        assertThat(reason(result, "gpt-4o-aud-1217 Inp glbl Tokens")).contains("audio");
        assertThat(reason(result, "Code-Interpreter-global Sessions")).contains("not priced per tokens (unit '1')");
        assertThat(reason(result, "Az-Image-Dall-E-3 Standard 1024*1024 Images")).contains("image");
        assertThat(reason(result, "gpt 4o 1120 Outp regnl Tokens"))
                .isEqualTo("no input price for gpt-4o 2024-11-20 regional westeurope USD in force from"
                        + " 2024-11-20T00:00:00Z");
        assertThat(reason(result, "gpt-35-turbo16K-0125 Inp-glbl Tokens")).contains("context size");
        assertThat(result.unmapped()).filteredOn(meter -> meter.meterName().startsWith("Provisioned"))
                .extracting(UnmappedMeter::reason)
                .containsExactlyInAnyOrder("provisioned throughput (billed per PTU, not per token)",
                        "price type 'Reservation' (only Consumption prices are imported)");
    }

    @Test
    void logsEachPageAtInfo() {
        List<String> messages = new CopyOnWriteArrayList<>();
        PatternFormatter message = new PatternFormatter("%s");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.INFO.intValue()) {
                    messages.add(message.format(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(RetailPriceImporter.class.getName());
        logger.addHandler(handler);
        try {
            importer.fetch();
        } finally {
            logger.removeHandler(handler);
        }

        assertThat(messages).contains(
                "Retail Prices API: page 1 read, 8 items so far",
                "Retail Prices API: page 2 read, 20 items so far",
                "Retail Prices API: page 3 read, 26 items so far");
    }

    @Test
    void theAdminImportAddsTheMappedRowsOnceAndListsTheRest() {
        String admin = TestTokens.withRoles("platform-app", TestTokens.ADMIN_ROLE);
        io.restassured.path.json.JsonPath dryRun = given().auth().oauth2(admin).post("/api/prices/import?dryRun=true")
                .then().statusCode(200).extract().jsonPath();
        assertThat(dryRun.getInt("pages")).isEqualTo(3);
        assertThat(dryRun.getInt("rows")).isPositive();
        assertThat(dryRun.getInt("added")).isZero();
        assertThat(dryRun.getList("unmapped.reason", String.class)).isNotEmpty().doesNotContainNull();

        io.restassured.path.json.JsonPath first = given().auth().oauth2(admin).post("/api/prices/import")
                .then().statusCode(200).extract().jsonPath();
        assertThat(first.getInt("added") + first.getInt("alreadyPresent")).isEqualTo(dryRun.getInt("rows"));
        assertThat(given().auth().oauth2(admin).get("/api/prices").then().extract().jsonPath()
                .getList("findAll { it.source == 'retail-prices-api' }.meterIds", String.class))
                .hasSizeGreaterThanOrEqualTo(dryRun.getInt("rows")).doesNotContainNull();
        given().auth().oauth2(admin).post("/api/prices/import").then().statusCode(200)
                .body("added", equalTo(0)).body("alreadyPresent", equalTo(dryRun.getInt("rows")));

        fake.fail(2, FakeRetailPricesApi.Failure.SERVER_ERROR);
        given().auth().oauth2(admin).post("/api/prices/import").then().statusCode(502)
                .body("error.code", equalTo("BadGateway"))
                .body("error.message", containsString("page 2"));
        given().auth().oauth2(TestTokens.withRoles("finance-app", TestTokens.READER_ROLE)).post("/api/prices/import")
                .then().statusCode(403);
    }

    @Test
    void aServerErrorIsAClearException() {
        fake.fail(2, FakeRetailPricesApi.Failure.SERVER_ERROR);

        assertThatThrownBy(importer::fetch)
                .isInstanceOfSatisfying(RetailPricesException.class, e -> {
                    assertThat(e.page()).isEqualTo(2);
                    assertThat(e.upstreamStatus()).hasValue(500);
                })
                .hasMessageStartingWith("The Azure Retail Prices API answered page 2 with HTTP 500")
                .hasMessageContaining("InternalServerError");
    }

    @Test
    void malformedJsonIsAClearException() {
        fake.fail(1, FakeRetailPricesApi.Failure.TRUNCATED_JSON);

        assertThatThrownBy(importer::fetch)
                .isInstanceOfSatisfying(RetailPricesException.class, e -> {
                    assertThat(e.page()).isEqualTo(1);
                    assertThat(e.upstreamStatus()).isEmpty();
                })
                .hasMessageStartingWith("Page 1 of the Azure Retail Prices API is not a page of prices"
                        + " (malformed JSON");
        assertThat(fake.requests).hasSize(1);
    }

    @Test
    void aBodyThatIsNotJsonIsAClearException() {
        fake.fail(3, FakeRetailPricesApi.Failure.HTML);

        assertThatThrownBy(importer::fetch)
                .isInstanceOf(RetailPricesException.class)
                .hasMessageStartingWith("Page 3 of the Azure Retail Prices API is not a page of prices");
    }

    @Test
    void aNextPageLinkToAnotherHostIsNotFollowed() {
        fake.fail(1, FakeRetailPricesApi.Failure.FOREIGN_NEXT_LINK);

        assertThatThrownBy(importer::fetch)
                .isInstanceOf(RetailPricesException.class)
                .hasMessageContaining("NextPageLink of page 1")
                .hasMessageContaining("cannot be followed (not on " + fake.base() + ")");
        assertThat(fake.requests).hasSize(1);
    }

    @Test
    void anUnreachableApiIsAClearException() {
        RetailPriceImporter unreachable = new RetailPriceImporter(
                new Settings("http://127.0.0.1:9", "USD", Optional.empty()));

        assertThatThrownBy(unreachable::fetch)
                .isInstanceOf(RetailPricesException.class)
                .hasMessageStartingWith("Could not read page 1 of the Azure Retail Prices API at http://127.0.0.1:9");
    }

    @Test
    void theRegionAndCurrencySettingsReachTheApi() {
        RetailPriceImporter swedenInEuro = new RetailPriceImporter(
                new Settings(fake.base(), "EUR", Optional.of("swedencentral")));

        swedenInEuro.fetch();

        assertThat(fake.requests.get(0).query()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "api-version", "2023-01-01-preview",
                "$filter", "(" + RetailPricesConfig.DEFAULT_FILTER + ") and armRegionName eq 'swedencentral'",
                "currencyCode", "'EUR'"));
    }

    @Test
    void aFilterIsSentAsWrittenWhateverItsCharacters() {
        String filter = "serviceFamily eq 'AI + Machine Learning' and contains(meterName, '50% & more')";
        RetailPriceImporter importer = new RetailPriceImporter(
                new Settings(fake.base(), filter, "USD", Optional.empty()));

        importer.fetch();

        assertThat(fake.requests.get(0).query()).containsEntry("$filter", filter);
    }

    @Test
    void defaultsSelectAzureOpenAiMetersInUsd() {
        assertThat(config.url()).isEqualTo("http://127.0.0.1:" + PORT);
        assertThat(config.apiVersion()).isEqualTo("2023-01-01-preview");
        assertThat(config.filter()).isEqualTo("(serviceName eq 'Foundry Models' or serviceName eq 'Cognitive Services')"
                + " and contains(productName, 'OpenAI')");
        assertThat(config.currencyCode()).isEqualTo("USD");
        assertThat(config.region()).isEmpty();
    }

    /** Settings for an importer built by hand. */
    record Settings(String url, String filter, String currencyCode, Optional<String> region)
            implements RetailPricesConfig {

        Settings(String url, String currencyCode, Optional<String> region) {
            this(url, DEFAULT_FILTER, currencyCode, region);
        }

        @Override
        public String apiVersion() {
            return "2023-01-01-preview";
        }

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(30);
        }
    }

    private static PriceRow row(String model, String version, DeploymentType type, String region, String input,
                                String cached, String output, String from, String meterIds) {
        return new PriceRow(model, Optional.ofNullable(version), type, Optional.of(region), "USD",
                new BigDecimal(input), Optional.ofNullable(cached).map(BigDecimal::new), new BigDecimal(output),
                Instant.parse(from + "T00:00:00Z"), Optional.empty(), "retail-prices-api", Optional.of(meterIds));
    }

    /** The meter ids of the named SKUs on a fixture page, comma-separated, in the order given. */
    private static String ids(int page, String... skuNames) {
        try {
            JsonNode items = new ObjectMapper().readTree(FakeRetailPricesApi.fixture(page)).get("Items");
            StringBuilder ids = new StringBuilder();
            for (String skuName : skuNames) {
                String id = null;
                for (JsonNode item : items) {
                    if (item.get("skuName").asText().equals(skuName)) {
                        id = item.get("meterId").asText();
                    }
                }
                assertThat(id).as("meter id of " + skuName).isNotNull();
                ids.append(ids.isEmpty() ? "" : ",").append(id);
            }
            return ids.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String reason(RetailImportResult result, String meterName) {
        return result.unmapped().stream().filter(meter -> meter.meterName().equals(meterName)).findFirst()
                .orElseThrow().reason();
    }
}
