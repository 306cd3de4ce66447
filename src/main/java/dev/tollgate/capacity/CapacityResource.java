package dev.tollgate.capacity;

import dev.tollgate.errors.ErrorCode;
import dev.tollgate.errors.GatewayException;
import dev.tollgate.identity.Roles;
import dev.tollgate.pricing.PriceFile;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.io.IOException;
import java.io.StringReader;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Provisioned capacity: the report per deployment and hour (role chargeback.reader), the capacity catalog and
 * allocation runs (role tollgate.admin). Blocking JDBC: Quarkus REST runs it on a worker thread.
 */
@Path("/api/capacity")
@Produces(MediaType.APPLICATION_JSON)
public class CapacityResource {

    private final CapacityQuery query;
    private final CapacityStore store;
    private final Allocator allocator;
    private final AllocationLoop loop;
    private final CapacityConfig config;

    public CapacityResource(CapacityQuery query, CapacityStore store, Allocator allocator, AllocationLoop loop,
                            CapacityConfig config) {
        this.query = query;
        this.store = store;
        this.allocator = allocator;
        this.loop = loop;
        this.config = config;
    }

    /**
     * What adding rows did.
     *
     * @param reallocation the run over the hours already allocated that the new rows cover, if any
     */
    public record AddResult(int added, int alreadyPresent, Allocator.Result reallocation) {
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Operation(summary = "Per provisioned deployment and UTC hour: PTUs, capacity and weighted tokens (utilisation), "
            + "cost, allocated and idle cost, requests that spilled to another deployment")
    @APIResponse(responseCode = "200", description = "The report")
    @APIResponse(responseCode = "400", description = "A bad parameter (AOAI error shape)")
    public CapacityReport report(
            @Parameter(description = "Start, inclusive: an ISO day (UTC midnight) or instant; default the first of "
                    + "this month (UTC)") @QueryParam("from") String from,
            @Parameter(description = "End, exclusive: an ISO day or instant; default a month after 'from'")
            @QueryParam("to") String to) throws SQLException {
        Instant start = from == null
                ? Instant.now().atOffset(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1)
                        .atStartOfDay(ZoneOffset.UTC).toInstant()
                : instant("from", from);
        Instant end = to == null ? start.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant() : instant("to", to);
        period(start, end);
        return query.run(start, end);
    }

    @GET
    @Path("/rows")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Every capacity row, oldest first")
    public List<CapacityJson> rows() throws SQLException {
        return store.catalog().rows().stream().map(CapacityJson::of).toList();
    }

    @POST
    @Path("/rows")
    @RolesAllowed(Roles.ADMIN)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add capacity rows (a resize, a new rate or a correction is a new row); rows already in the "
            + "catalog are skipped; the hours already allocated that new rows cover are allocated again")
    public AddResult add(List<CapacityJson> rows) throws SQLException {
        if (rows == null || rows.isEmpty()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "Send a JSON array of capacity rows.");
        }
        List<CapacityRow> parsed = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                parsed.add(rows.get(i).toRow(config.idleOwner()));
            } catch (IllegalArgumentException | DateTimeException e) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "Capacity row " + i + ": " + e.getMessage());
            }
        }
        return store(parsed);
    }

    @POST
    @Path("/rows")
    @RolesAllowed(Roles.ADMIN)
    @Consumes("text/csv")
    @Operation(summary = "Add the rows of a capacity file (CSV, as tollgate.capacity.seed-files)")
    public AddResult addFile(String csv) throws SQLException {
        try {
            return store(CapacityFile.read(new StringReader(csv == null ? "" : csv), "admin-file", config.idleOwner()));
        } catch (IOException | IllegalArgumentException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    @POST
    @Path("/allocate")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Allocate the UTC hours of [from, to) again from the records and capacity rows as they are "
            + "now; says how many hours changed and the cost before and after (logged in capacity_allocation_run)")
    public Allocator.Result allocate(
            @Parameter(description = "Start, inclusive: an ISO day (UTC midnight) or instant") @QueryParam("from") String from,
            @Parameter(description = "End, exclusive: an ISO day (UTC midnight) or instant") @QueryParam("to") String to,
            @Parameter(description = "Report what would change without changing it") @QueryParam("dryRun") boolean dryRun)
            throws SQLException {
        if (from == null || to == null) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' and 'to' are required.");
        }
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        period(start, end);
        return allocator.allocate(start, end, "admin", dryRun);
    }

    private AddResult store(List<CapacityRow> rows) throws SQLException {
        for (CapacityRow row : rows) {
            if (row.policy() == Policy.UTILIZATION
                    && Weights.of(config, row.model()).tokensPerMinutePerPtu().isEmpty()) {
                throw new GatewayException(ErrorCode.BAD_REQUEST, "The utilization policy needs the throughput of "
                        + row.model() + ": set tollgate.capacity.models." + row.model()
                        + ".input-tokens-per-minute-per-ptu.");
            }
        }
        CapacityStore.AddResult added;
        try {
            added = store.add(rows);
        } catch (IllegalArgumentException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
        Optional<Instant> frontier = loop.frontier();
        Allocator.Result run = null;
        if (added.earliestAdded().isPresent() && frontier.isPresent()
                && added.earliestAdded().get().isBefore(frontier.get())) {
            run = allocator.allocate(added.earliestAdded().get(), frontier.get(), "capacity-change", false);
        }
        return new AddResult(added.added(), added.alreadyPresent(), run);
    }

    private static void period(Instant start, Instant end) {
        if (!start.isBefore(end)) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'from' must be before 'to'.");
        }
    }

    private static Instant instant(String name, String value) {
        try {
            return PriceFile.instant(value);
        } catch (DateTimeException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "'" + name + "' must be an ISO date (2026-11-01) or "
                    + "instant (2026-11-01T00:00:00Z); got '" + value + "'.");
        }
    }
}
