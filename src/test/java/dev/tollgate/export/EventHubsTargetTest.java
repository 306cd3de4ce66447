package dev.tollgate.export;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventHubsTargetTest {

    private static final String CS = "Endpoint=sb://tollgate.servicebus.windows.net/;SharedAccessKeyName=send;"
            + "SharedAccessKey=c2VjcmV0";

    @Test
    void isOffWithNeitherAConnectionStringNorANamespace() {
        assertThat(EventHubsTarget.of(Optional.empty(), Optional.of(" "), Optional.of("usage"), Optional.empty()))
                .isEmpty();
    }

    @Test
    void takesTheHubFromTheConnectionStringOrTheSetting() {
        EventHubsTarget fromPath = EventHubsTarget.of(Optional.of(CS + ";EntityPath=usage"), Optional.empty(),
                Optional.empty(), Optional.empty()).orElseThrow();
        assertThat(fromPath.eventHubName()).isEqualTo("usage");
        assertThat(fromPath.toString()).isEqualTo("hub 'usage' at sb://tollgate.servicebus.windows.net/ with a "
                + "connection string (SAS)").doesNotContain("c2VjcmV0");

        EventHubsTarget fromSetting = EventHubsTarget.of(Optional.of(CS), Optional.empty(), Optional.of("usage"),
                Optional.empty()).orElseThrow();
        assertThat(fromSetting.eventHubName()).isEqualTo("usage");
        assertThat(fromSetting.clientBuilder(Duration.ofSeconds(5))).isNotNull();
    }

    @Test
    void usesEntraIdWithANamespace() {
        EventHubsTarget target = EventHubsTarget.of(Optional.empty(), Optional.of("tollgate.servicebus.windows.net"),
                Optional.of("usage"), Optional.of("0c1d2e3f-0000-4000-8000-000000000000")).orElseThrow();
        assertThat(target.toString()).isEqualTo("hub 'usage' at tollgate.servicebus.windows.net with Entra ID "
                + "(DefaultAzureCredential, managed identity 0c1d2e3f-0000-4000-8000-000000000000)");
    }

    @Test
    void refusesAmbiguousOrIncompleteSettings() {
        assertThatThrownBy(() -> EventHubsTarget.of(Optional.of(CS), Optional.of("ns.servicebus.windows.net"),
                Optional.of("usage"), Optional.empty())).hasMessageContaining("not both");
        assertThatThrownBy(() -> EventHubsTarget.of(Optional.of(CS), Optional.empty(), Optional.empty(),
                Optional.empty())).hasMessageContaining("event-hub-name");
        assertThatThrownBy(() -> EventHubsTarget.of(Optional.of(CS + ";EntityPath=a"), Optional.empty(),
                Optional.of("b"), Optional.empty())).hasMessageContaining("'a'");
        assertThatThrownBy(() -> EventHubsTarget.of(Optional.empty(), Optional.of("ns.servicebus.windows.net"),
                Optional.empty(), Optional.empty())).hasMessageContaining("event-hub-name");
    }
}
