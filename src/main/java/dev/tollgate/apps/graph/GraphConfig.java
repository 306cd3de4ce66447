package dev.tollgate.apps.graph;

import dev.tollgate.routing.BackendsConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Names for unregistered apps from Microsoft Graph ({@code tollgate.apps.graph.*}): off unless enabled; the
 * identity needs the Graph application permission {@code Application.Read.All} (docs/configuration.md).
 */
@ConfigMapping(prefix = "tollgate.apps.graph")
public interface GraphConfig {

    /** Whether app ids without a registered name are looked up in Microsoft Graph. */
    @WithDefault("false")
    boolean enabled();

    /** Microsoft Graph's endpoint: the public cloud's, or a national cloud's (https://graph.microsoft.us …). */
    @WithDefault("https://graph.microsoft.com")
    String endpoint();

    /** How often app ids are looked up; each is asked again (names change) once a look-up is this old. */
    @WithDefault("PT6H")
    Duration refreshInterval();

    /** The Entra ID identity Tollgate asks Graph as, with the same keys as a backend's. */
    BackendsConfig.Entra credential();
}
