package dev.tollgate.admission.rules;

/** What a rule's quotas and budgets do when spent. Rate limits are always enforced. */
public enum Enforcement {
    /** Refuse with 403 until the period resets. */
    HARD("hard"),
    /** Alert at the thresholds, never refuse. */
    SOFT("soft");

    private final String key;

    Enforcement(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    static Enforcement of(String key) {
        for (Enforcement enforcement : values()) {
            if (enforcement.key.equals(key)) {
                return enforcement;
            }
        }
        return null;
    }
}
