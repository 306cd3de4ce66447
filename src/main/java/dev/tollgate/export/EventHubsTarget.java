package dev.tollgate.export;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.eventhubs.EventHubClientBuilder;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Event Hub the export goes to and how it authenticates: a SAS connection string, or a namespace with an Entra
 * ID credential. Holds no secret in {@link #toString()}.
 */
final class EventHubsTarget {

    private static final Pattern ENDPOINT = Pattern.compile("(?i)(?:^|;)\\s*Endpoint\\s*=\\s*([^;]+)");
    private static final Pattern ENTITY_PATH = Pattern.compile("(?i)(?:^|;)\\s*EntityPath\\s*=\\s*([^;]+)");

    private final String connectionString;
    private final String namespace;
    private final String eventHubName;
    private final String managedIdentityClientId;

    private EventHubsTarget(String connectionString, String namespace, String eventHubName,
                            String managedIdentityClientId) {
        this.connectionString = connectionString;
        this.namespace = namespace;
        this.eventHubName = eventHubName;
        this.managedIdentityClientId = managedIdentityClientId;
    }

    static Optional<EventHubsTarget> of(EventHubsExportConfig config) {
        return of(config.connectionString(), config.fullyQualifiedNamespace(), config.eventHubName(),
                config.managedIdentityClientId());
    }

    /** Empty when neither a connection string nor a namespace is set: the export is off. */
    static Optional<EventHubsTarget> of(Optional<String> connectionString, Optional<String> namespace,
                                        Optional<String> eventHubName, Optional<String> managedIdentityClientId) {
        Optional<String> cs = connectionString.map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> ns = namespace.map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> hub = eventHubName.map(String::trim).filter(s -> !s.isEmpty());
        if (cs.isPresent() && ns.isPresent()) {
            throw new IllegalStateException("Set tollgate.export.event-hubs.connection-string or "
                    + "tollgate.export.event-hubs.fully-qualified-namespace, not both");
        }
        if (cs.isPresent()) {
            Optional<String> entityPath = find(ENTITY_PATH, cs.get());
            if (entityPath.isEmpty() && hub.isEmpty()) {
                throw new IllegalStateException("The Event Hubs connection string names no hub (EntityPath): set "
                        + "tollgate.export.event-hubs.event-hub-name");
            }
            if (entityPath.isPresent() && hub.isPresent() && !entityPath.get().equals(hub.get())) {
                throw new IllegalStateException("The Event Hubs connection string is for hub '" + entityPath.get()
                        + "' but tollgate.export.event-hubs.event-hub-name is '" + hub.get() + "'");
            }
            return Optional.of(new EventHubsTarget(cs.get(), null, hub.or(() -> entityPath).orElseThrow(), null));
        }
        if (ns.isPresent()) {
            String hubName = hub.orElseThrow(() -> new IllegalStateException(
                    "tollgate.export.event-hubs.fully-qualified-namespace is set but event-hub-name is not"));
            return Optional.of(new EventHubsTarget(null, ns.get(), hubName,
                    managedIdentityClientId.map(String::trim).filter(s -> !s.isEmpty()).orElse(null)));
        }
        return Optional.empty();
    }

    String eventHubName() {
        return eventHubName;
    }

    /** A builder for this hub with its credential, retrying a failed operation once within {@code tryTimeout}. */
    EventHubClientBuilder clientBuilder(Duration tryTimeout) {
        EventHubClientBuilder builder = new EventHubClientBuilder()
                // The exporter retries whole rounds with its own backoff; the SDK only smooths over a blip.
                .retryOptions(new AmqpRetryOptions().setTryTimeout(tryTimeout).setMaxRetries(1)
                        .setDelay(Duration.ofMillis(500)).setMaxDelay(Duration.ofSeconds(5)));
        if (connectionString != null) {
            return find(ENTITY_PATH, connectionString).isPresent()
                    ? builder.connectionString(connectionString)
                    : builder.connectionString(connectionString, eventHubName);
        }
        DefaultAzureCredentialBuilder credential = new DefaultAzureCredentialBuilder();
        if (managedIdentityClientId != null) {
            credential.managedIdentityClientId(managedIdentityClientId);
        }
        return builder.credential(namespace, eventHubName, credential.build());
    }

    /** For the start-up log line: where, and how it signs in. */
    @Override
    public String toString() {
        if (connectionString != null) {
            return "hub '" + eventHubName + "' at " + find(ENDPOINT, connectionString).orElse("?")
                    + " with a connection string (SAS)";
        }
        return "hub '" + eventHubName + "' at " + namespace + " with Entra ID (DefaultAzureCredential"
                + (managedIdentityClientId != null ? ", managed identity " + managedIdentityClientId : "") + ")";
    }

    private static Optional<String> find(Pattern pattern, String connectionString) {
        Matcher matcher = pattern.matcher(connectionString);
        return matcher.find() ? Optional.of(matcher.group(1).trim()) : Optional.empty();
    }
}
