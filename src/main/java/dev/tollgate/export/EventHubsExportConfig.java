package dev.tollgate.export;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Export of usage records to Azure Event Hubs (see {@code docs/events.md}). Off unless a connection string or a
 * namespace is set.
 */
@ConfigMapping(prefix = "tollgate.export.event-hubs")
public interface EventHubsExportConfig {

    /**
     * A SAS connection string ({@code Endpoint=sb://<ns>.servicebus.windows.net/;SharedAccessKeyName=…;
     * SharedAccessKey=…}, with {@code ;EntityPath=<hub>} or {@link #eventHubName()}). Set this or
     * {@link #fullyQualifiedNamespace()}, not both.
     */
    Optional<String> connectionString();

    /**
     * The namespace's host name ({@code <ns>.servicebus.windows.net}), reached with an Entra ID token from
     * {@code DefaultAzureCredential} (managed identity, workload identity, environment, Azure CLI…); the identity
     * needs the "Azure Event Hubs Data Sender" role on the hub.
     */
    Optional<String> fullyQualifiedNamespace();

    /** The hub; required with a namespace, optional with a connection string that names it in EntityPath. */
    Optional<String> eventHubName();

    /** Client id of the user-assigned managed identity to use with a namespace; unset, the credential's default. */
    Optional<String> managedIdentityClientId();

    /** Records read and sent per round (at most; grouped by app into batches no larger than the hub accepts). */
    @WithDefault("500")
    int batchSize();

    /** How long the exporter waits before looking again once it has sent everything there was. */
    @WithDefault("PT1S")
    Duration pollInterval();

    /** Longest wait between rounds while sending fails (the wait doubles from the poll interval up to this). */
    @WithDefault("PT1M")
    Duration maxBackoff();

    /** How long one send may take before it counts as failed (the AMQP operation timeout). */
    @WithDefault("PT30S")
    Duration sendTimeout();
}
