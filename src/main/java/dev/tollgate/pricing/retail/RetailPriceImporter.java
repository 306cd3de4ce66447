package dev.tollgate.pricing.retail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tollgate.pricing.retail.RetailMeterMapper.RetailMapping;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads every page of the Azure Retail Prices API the configured filter selects and maps the items to price rows
 * ({@link RetailMeterMapper}). Blocking: call it on a worker thread. It only reads; storing the rows is the
 * caller's business.
 * <p>
 * The REST client is built with {@link QuarkusRestClientBuilder} rather than declared with
 * {@code @RegisterRestClient}, because every page after the first must be fetched from the absolute URL in the
 * previous page's {@code NextPageLink}, and that link is not a well-formed URI: the API puts the {@code $filter}
 * into it unencoded, spaces and quotes included. So the link is taken apart here (origin, path, query, decoded
 * leniently), checked to be the configured API, and its query is sent again through the same typed interface,
 * which encodes it properly. Building the client here also lets the base URL come from the typed
 * {@link RetailPricesConfig} ({@code tollgate.pricing.retail.url}) instead of a separate
 * {@code quarkus.rest-client.*} key, and keeps the client's life to one import.
 */
@ApplicationScoped
public class RetailPriceImporter {

    private static final Logger LOG = Logger.getLogger(RetailPriceImporter.class);

    /** The path of the prices resource; a NextPageLink must point at it. */
    static final String PRICES_PATH = "/api/retail/prices";

    /** Our own reader, so that customisations of the application's ObjectMapper cannot change how prices parse. */
    private static final ObjectReader PAGE_READER = new ObjectMapper()
            .readerFor(RetailPricesPage.class)
            .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final int EXCERPT_CHARS = 300;

    private final RetailPricesConfig config;

    public RetailPriceImporter(RetailPricesConfig config) {
        this.config = config;
    }

    /** Where a page is: the API's base URI and the query to send. */
    record PageRequest(URI base, Map<String, String> query) {
    }

    /**
     * Reads all pages, following NextPageLink until it is null, and maps their items.
     *
     * @throws RetailPricesException when a page cannot be read: nothing is returned then, not even the pages read
     */
    public RetailImportResult fetch() {
        URI configured = configuredBase();
        PageRequest request = new PageRequest(configured, firstQuery());
        List<RetailPriceItem> items = new ArrayList<>();
        Set<String> followed = new HashSet<>();
        int page = 0;
        LOG.infof("Retail Prices API: reading %s%s with filter %s", configured, PRICES_PATH,
                request.query().get("$filter"));
        RetailPricesApi api = client(configured);
        try {
            while (true) {
                page++;
                RetailPricesPage body = read(api, request, page);
                items.addAll(body.items());
                LOG.infof("Retail Prices API: page %d read, %d items so far", page, items.size());
                String next = body.nextPageLink();
                if (next == null || next.isBlank()) {
                    break;
                }
                if (!followed.add(next)) {
                    throw new RetailPricesException(page, null, "The Azure Retail Prices API's page " + page
                            + " links to a page already read (" + next + ")", null);
                }
                request = nextPage(next, configured, page);
            }
        } finally {
            close(api);
        }
        RetailMapping mapping = RetailMeterMapper.map(items);
        long ignored = mapping.unmapped().stream().filter(UnmappedMeter::ignored).count();
        LOG.infof("Retail Prices API: %d pages, %d items: %d price rows; %d meters not mapped (%d ignored as not token"
                        + " prices, %d unrecognised)", page, items.size(), mapping.rows().size(),
                mapping.unmapped().size(), ignored, mapping.unmapped().size() - ignored);
        return new RetailImportResult(page, items.size(), mapping.rows(), mapping.unmapped());
    }

    /** The query of the first page: api-version, the filter (narrowed to the region, if one is set), currency. */
    Map<String, String> firstQuery() {
        String filter = config.filter().trim();
        if (config.region().isPresent() && !config.region().get().isBlank()) {
            String region = config.region().get().trim().toLowerCase(Locale.ROOT).replace("'", "''");
            filter = "(" + filter + ") and armRegionName eq '" + region + "'";
        }
        String currency = config.currencyCode().trim();
        if (!currency.startsWith("'")) {
            currency = "'" + currency.toUpperCase(Locale.ROOT) + "'";
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("api-version", config.apiVersion());
        query.put("$filter", filter);
        query.put("currencyCode", currency);
        return query;
    }

    private URI configuredBase() {
        String url = config.url().trim();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        try {
            URI uri = new URI(url);
            if (!isHttp(uri) || uri.getHost() == null || uri.getRawQuery() != null) {
                throw new URISyntaxException(url, "not an absolute http(s) URL without a query");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("tollgate.pricing.retail.url is not usable: " + e.getMessage(), e);
        }
    }

    private RetailPricesApi client(URI base) {
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(base)
                .connectTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .build(RetailPricesApi.class);
    }

    private static void close(RetailPricesApi client) {
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debugf(e, "Retail Prices API: closing the client failed");
            }
        }
    }

    private static RetailPricesPage read(RetailPricesApi api, PageRequest request, int page) {
        try (Response response = send(api, request, page)) {
            int status = response.getStatus();
            if (status / 100 != 2) {
                String body = errorBody(response);
                throw new RetailPricesException(page, status, "The Azure Retail Prices API answered page " + page
                        + " with HTTP " + status + (body.isBlank() ? "" : ": " + excerpt(body)), null);
            }
            String body;
            try {
                body = response.readEntity(String.class);
            } catch (ProcessingException e) {
                throw new RetailPricesException(page, null, "Could not read page " + page + " of the Azure Retail"
                        + " Prices API at " + request.base() + ": " + rootMessage(e), e);
            }
            RetailPricesPage parsed;
            try {
                parsed = PAGE_READER.readValue(body);
            } catch (JsonProcessingException e) {
                throw new RetailPricesException(page, null, "Page " + page + " of the Azure Retail Prices API is not"
                        + " a page of prices (malformed JSON: " + e.getOriginalMessage() + ")", e);
            }
            if (parsed == null || parsed.items() == null) {
                throw new RetailPricesException(page, null, "Page " + page + " of the Azure Retail Prices API has no"
                        + " Items array: " + excerpt(body), null);
            }
            return parsed;
        }
    }

    /** The answer, whatever its status (the client's default mapper throws for 4xx and 5xx). */
    private static Response send(RetailPricesApi api, PageRequest request, int page) {
        try {
            return api.page(request.query());
        } catch (WebApplicationException e) {
            return e.getResponse();
        } catch (ProcessingException e) {
            throw new RetailPricesException(page, null, "Could not read page " + page + " of the Azure Retail Prices"
                    + " API at " + request.base() + ": " + rootMessage(e), e);
        }
    }

    /** The body of an answer that is not 2xx, for the message; what cannot be read is left out. */
    private static String errorBody(Response response) {
        try {
            return response.hasEntity() ? response.readEntity(String.class) : "";
        } catch (RuntimeException e) {
            return "";
        }
    }

    /**
     * The request for the page a NextPageLink names. The link must be on the configured API (same scheme, host and
     * port, the prices path under the configured base path), so that an answer cannot send the import elsewhere.
     */
    static PageRequest nextPage(String link, URI configured, int page) {
        String trimmed = link.trim();
        int queryStart = trimmed.indexOf('?');
        String location = queryStart < 0 ? trimmed : trimmed.substring(0, queryStart);
        URI uri;
        try {
            uri = new URI(location.replace(" ", "%20"));
        } catch (URISyntaxException e) {
            throw badLink(page, link, "not a URL");
        }
        if (!isHttp(uri) || uri.getHost() == null
                || !uri.getScheme().equalsIgnoreCase(configured.getScheme())
                || !uri.getHost().equalsIgnoreCase(configured.getHost())
                || port(uri) != port(configured)) {
            throw badLink(page, link, "not on " + configured);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String basePath = configured.getRawPath() == null ? "" : configured.getRawPath();
        if (!path.equals(basePath + PRICES_PATH)) {
            throw badLink(page, link, "not the prices resource " + basePath + PRICES_PATH);
        }
        Map<String, String> query = new LinkedHashMap<>();
        if (queryStart >= 0) {
            for (String pair : trimmed.substring(queryStart + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                query.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return new PageRequest(configured, query);
    }

    private static RetailPricesException badLink(int page, String link, String why) {
        return new RetailPricesException(page, null, "The NextPageLink of page " + page + " of the Azure Retail"
                + " Prices API cannot be followed (" + why + "): " + excerpt(link), null);
    }

    /** Percent-decoding that leaves what is not an escape alone: the API's links carry raw spaces and quotes. */
    static String decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }

    private static boolean isHttp(URI uri) {
        return uri.getScheme() != null
                && (uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"));
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String excerpt(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= EXCERPT_CHARS ? line : line.substring(0, EXCERPT_CHARS) + "…";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
