package dev.tollgate.apps;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An app of the registry: who is charged for the usage of an Entra app id.
 *
 * @param appId        the Entra app id its tokens carry ({@code azp} / {@code appid}), the key of usage records
 * @param displayName  what reports call it
 * @param businessUnit the business unit it is charged to
 * @param costCenter   the cost center it is charged to
 * @param ownerContact who to ask about it (an e-mail address, a team); null if not known
 * @param tags         free-form labels for reports, sorted by key; never null
 */
public record RegisteredApp(String appId, String displayName, String businessUnit, String costCenter,
                            String ownerContact, Map<String, String> tags) {

    public RegisteredApp {
        ownerContact = ownerContact == null || ownerContact.isBlank() ? null : ownerContact;
        tags = tags == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(tags));
    }
}
