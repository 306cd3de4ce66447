package dev.tollgate.admission.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** A rule as stored, with the database's timestamps. */
public record StoredRule(LimitRule rule, Instant createdAt, Instant updatedAt) {

    /** The rule as the admin API shows it. */
    public ObjectNode toJson() {
        ObjectNode json = RuleJson.write(rule);
        json.put("createdAt", createdAt.toString());
        json.put("updatedAt", updatedAt.toString());
        return json;
    }
}
