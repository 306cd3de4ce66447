package dev.tollgate.admission.rules;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Who a rule limits. Business unit and cost center come from the app registry, so all their apps share the limit. */
public enum SubjectType {
    /** One app, by its Entra app id. */
    APP("app"),
    /** Every app of a business unit, together. */
    BUSINESS_UNIT("businessUnit"),
    /** Every app of a cost center, together. */
    COST_CENTER("costCenter"),
    /** Each app that no app rule covers for the request (unregistered apps included), counted per app. */
    DEFAULT("default");

    private final String key;

    SubjectType(String key) {
        this.key = key;
    }

    /** As written in JSON: {@code app}, {@code businessUnit}, {@code costCenter}, {@code default}. */
    public String key() {
        return key;
    }

    /** The type a key names, or null. */
    static SubjectType of(String key) {
        for (SubjectType type : values()) {
            if (type.key.equals(key)) {
                return type;
            }
        }
        return null;
    }

    static String keys() {
        return Arrays.stream(values()).map(SubjectType::key).collect(Collectors.joining(", "));
    }
}
