package dev.tollgate.pricing.retail;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.Map;

/**
 * The Azure Retail Prices API, as a Quarkus REST client built by {@link RetailPriceImporter} (see there why it is
 * built programmatically). The answer is taken as a raw {@link Response} so that the importer, not the client's
 * default mappers, decides what a non-2xx status or a body that is not JSON means.
 */
@Path("/api/retail/prices")
interface RetailPricesApi {

    /**
     * One page. The query of the first page is {@code api-version}, {@code $filter} and {@code currencyCode}; the
     * next pages' is whatever the previous page's NextPageLink carried (the same, plus {@code $skip}).
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Response page(@RestQuery Map<String, String> query);
}
