package dev.tollgate.pricing;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.Roles;
import dev.tollgate.pricing.retail.RetailImportResult;
import dev.tollgate.pricing.retail.RetailPriceImporter;
import dev.tollgate.pricing.retail.RetailPricesException;
import dev.tollgate.pricing.retail.UnmappedMeter;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import java.io.IOException;
import java.io.StringReader;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The price catalog: read it, add to it (JSON, a price CSV file or an import from the Azure Retail Prices API), remove
 * unused rows, reprice a period.
 */
@Path("/api/prices")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class PricesResource {

    private final PriceStore store;
    private final Repricer repricer;
    private final RetailPriceImporter retail;

    public PricesResource(PriceStore store, Repricer repricer, RetailPriceImporter retail) {
        this.store = store;
        this.repricer = repricer;
        this.retail = retail;
    }

    /**
     * What an import read and did.
     *
     * @param rows      price rows made from the meters
     * @param added     rows new to the catalog (0 in a dry run)
     * @param unmapped  meters that made no row, each with the reason
     */
    public record ImportResult(boolean dryRun, int pages, int items, int rows, int added, int alreadyPresent,
                               List<UnmappedMeter> unmapped) {
    }

    @POST
    @Path("/import")
    @Operation(summary = "Import list prices from the Azure Retail Prices API (tollgate.pricing.retail.*): pages "
            + "through every Azure OpenAI meter, adds the rows not in the catalog, lists the meters it could not map")
    public ImportResult importRetailPrices(
            @Parameter(description = "Fetch and map, but add nothing") @QueryParam("dryRun") boolean dryRun)
            throws SQLException {
        RetailImportResult result;
        try {
            result = retail.fetch();
        } catch (RetailPricesException e) {
            throw new GatewayException(ErrorCode.BAD_GATEWAY, e.getMessage());
        }
        PriceStore.AddResult added = dryRun ? new PriceStore.AddResult(0, 0) : store(result.rows());
        return new ImportResult(dryRun, result.pages(), result.items(), result.rows().size(), added.added(),
                added.alreadyPresent(), result.unmapped());
    }

    @GET
    @Operation(summary = "Every price row, oldest first")
    public List<PriceJson> list() throws SQLException {
        return store.all().stream().map(PriceJson::of).toList();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add price rows (a price change is a new row with a later effectiveFrom); rows already in "
            + "the catalog are skipped")
    public PriceStore.AddResult add(List<PriceJson> prices) throws SQLException {
        if (prices == null || prices.isEmpty()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "Send a JSON array of price rows.");
        }
        List<PriceRow> rows = new ArrayList<>();
        for (int i = 0; i < prices.size(); i++) {
            try {
                rows.add(prices.get(i).toRow());
            } catch (IllegalArgumentException | DateTimeException e) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "Price " + i + ": " + e.getMessage());
            }
        }
        return store(rows);
    }

    @POST
    @Consumes("text/csv")
    @Operation(summary = "Add the rows of a price file (CSV, as tollgate.pricing.seed-files); rows already in the "
            + "catalog are skipped")
    public PriceStore.AddResult addFile(String csv) throws SQLException {
        try {
            return store(PriceFile.read(new StringReader(csv == null ? "" : csv), "admin-file"));
        } catch (IOException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "Unreadable price file: " + e.getMessage());
        } catch (InvalidPriceFileException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Remove a price row entered by mistake; refused (409) once it has priced a record")
    public void delete(@PathParam("id") long id) throws SQLException {
        try {
            if (!store.delete(id)) {
                throw new GatewayException(ErrorCode.NOT_FOUND, "No price row " + id + ".");
            }
        } catch (PriceInUseException e) {
            throw new GatewayException(ErrorCode.CONFLICT, e.getMessage());
        }
    }

    @POST
    @Path("/reprice")
    @Operation(summary = "Recompute the cost of every record of [from, to) with the catalog as it is now; says how "
            + "many records changed and by how much")
    public Repricer.Result reprice(
            @Parameter(description = "Start, inclusive: an ISO day (UTC midnight) or instant") @QueryParam("from") String from,
            @Parameter(description = "End, exclusive: an ISO day (UTC midnight) or instant") @QueryParam("to") String to,
            @Parameter(description = "Report what would change without changing it") @QueryParam("dryRun") boolean dryRun)
            throws SQLException {
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (!start.isBefore(end)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' must be before 'to'.");
        }
        return repricer.reprice(start, end, dryRun);
    }

    private PriceStore.AddResult store(List<PriceRow> rows) throws SQLException {
        try {
            return store.add(rows);
        } catch (InvalidPriceFileException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    private static Instant instant(String name, String value) {
        if (value == null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'" + name + "' is required.");
        }
        try {
            return PriceFile.instant(value);
        } catch (DateTimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST,
                    "'" + name + "' must be an ISO date (2026-11-01) or instant (2026-11-01T00:00:00Z); got '" + value + "'.");
        }
    }
}
