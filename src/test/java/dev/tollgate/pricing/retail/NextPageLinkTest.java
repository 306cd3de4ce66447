package dev.tollgate.pricing.retail;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Taking a NextPageLink apart, as the API writes them: no HTTP, no Quarkus. */
class NextPageLinkTest {

    private static final URI API = URI.create("https://prices.azure.com");

    @Test
    void aLinkWithRawSpacesAndQuotesKeepsItsQuery() {
        RetailPriceImporter.PageRequest next = RetailPriceImporter.nextPage("https://prices.azure.com:443/api/retail/"
                + "prices?api-version=2023-01-01-preview&currencyCode='USD'&$filter=serviceName eq 'Foundry Models'"
                + " and contains(productName, 'OpenAI')&$skip=1000", API, 1);

        assertThat(next.base()).isEqualTo(API);
        assertThat(next.query()).containsExactly(
                Map.entry("api-version", "2023-01-01-preview"),
                Map.entry("currencyCode", "'USD'"),
                Map.entry("$filter", "serviceName eq 'Foundry Models' and contains(productName, 'OpenAI')"),
                Map.entry("$skip", "1000"));
    }

    @Test
    void anEncodedLinkIsDecodedOnce() {
        RetailPriceImporter.PageRequest next = RetailPriceImporter.nextPage("https://prices.azure.com/api/retail/"
                + "prices?%24filter=serviceFamily%20eq%20%27AI%20+%20Machine%20Learning%27&%24skip=2000", API, 2);

        assertThat(next.query()).containsExactly(
                Map.entry("$filter", "serviceFamily eq 'AI + Machine Learning'"),
                Map.entry("$skip", "2000"));
    }

    @Test
    void aLinkElsewhereIsRefused() {
        for (String link : new String[] {
                "https://prices.example.invalid/api/retail/prices?$skip=1000",
                "http://prices.azure.com/api/retail/prices?$skip=1000",
                "https://prices.azure.com:8443/api/retail/prices?$skip=1000",
                "https://prices.azure.com/api/other?$skip=1000",
                "not a link"}) {
            assertThatThrownBy(() -> RetailPriceImporter.nextPage(link, API, 3)).as(link)
                    .isInstanceOf(RetailPricesException.class)
                    .hasMessageStartingWith("The NextPageLink of page 3 of the Azure Retail Prices API cannot be"
                            + " followed");
        }
    }

    @Test
    void aBasePathIsKept() {
        URI proxied = URI.create("https://proxy.internal/azure-prices");

        assertThat(RetailPriceImporter.nextPage("https://proxy.internal/azure-prices/api/retail/prices?$skip=1000",
                proxied, 1).base()).isEqualTo(proxied);
    }

    @Test
    void decodingLeavesWhatIsNotAnEscapeAlone() {
        assertThat(RetailPriceImporter.decode("100% sure %2")).isEqualTo("100% sure %2");
        assertThat(RetailPriceImporter.decode("caf%C3%A9")).isEqualTo("café");
    }
}
