package dev.tollgate.apps;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a registered app must look like, the same for the admin API and the seed file. Besides the limits, no text may
 * hold control characters or start or end with whitespace: {@code "4711 "} and {@code "4711"} would otherwise be two
 * cost centers in a report.
 */
final class AppRules {

    static final int MAX_APP_ID = 128;
    static final int MAX_DISPLAY_NAME = 200;
    static final int MAX_BUSINESS_UNIT = 100;
    static final int MAX_COST_CENTER = 100;
    static final int MAX_OWNER_CONTACT = 320;
    static final int MAX_TAGS = 50;
    static final int MAX_TAG_KEY = 64;
    static final int MAX_TAG_VALUE = 256;
    /** Letters and digits first, then also {@code _ . : / -}: keys are names reports group by, not prose. */
    static final Pattern TAG_KEY = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}_.:/-]*");

    private AppRules() {
    }

    /** Checks every field; returns the app for chaining. */
    static RegisteredApp check(RegisteredApp app) {
        checkAppId(app.appId());
        required("displayName", app.displayName(), MAX_DISPLAY_NAME);
        required("businessUnit", app.businessUnit(), MAX_BUSINESS_UNIT);
        required("costCenter", app.costCenter(), MAX_COST_CENTER);
        if (app.ownerContact() != null) {
            text("ownerContact", app.ownerContact(), MAX_OWNER_CONTACT);
        }
        checkTags(app.tags());
        return app;
    }

    /**
     * Any non-blank id of at most 128 characters without control characters or a {@code /} (it could not be named in
     * a URL path); Entra's are GUIDs.
     */
    static void checkAppId(String appId) {
        required("appId", appId, MAX_APP_ID);
        if (appId.indexOf('/') >= 0) {
            throw new InvalidAppException("appId must not contain '/'.");
        }
    }

    /** Whether the id could be registered; one that could not is never looked up (PostgreSQL refuses a NUL in text). */
    static boolean isPossibleAppId(String appId) {
        try {
            checkAppId(appId);
            return true;
        } catch (InvalidAppException e) {
            return false;
        }
    }

    private static void checkTags(Map<String, String> tags) {
        if (tags.size() > MAX_TAGS) {
            throw new InvalidAppException("At most " + MAX_TAGS + " tags are allowed; got " + tags.size() + ".");
        }
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            String key = tag.getKey();
            if (key.isEmpty() || key.length() > MAX_TAG_KEY || !TAG_KEY.matcher(key).matches()) {
                throw new InvalidAppException("Tag key '" + printable(key) + "' is invalid: 1 to " + MAX_TAG_KEY
                        + " characters, letters and digits, then also _ . : / -.");
            }
            if (tag.getValue() == null) {
                throw new InvalidAppException("Tag '" + key + "' has no value; tag values are strings.");
            }
            text("Tag '" + key + "'", tag.getValue(), MAX_TAG_VALUE); // may be empty, as in Azure resource tags
        }
    }

    private static void required(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new InvalidAppException(field + " is required and must not be blank.");
        }
        text(field, value, maxLength);
    }

    private static void text(String field, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw new InvalidAppException(field + " is longer than " + maxLength + " characters.");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidAppException(field + " contains a control character (tab, line break, …) at position "
                        + (i + 1) + ".");
            }
        }
        if (!value.isEmpty() && (Character.isWhitespace(value.charAt(0))
                || Character.isWhitespace(value.charAt(value.length() - 1)))) {
            throw new InvalidAppException(field + " starts or ends with whitespace.");
        }
    }

    /** A value quoted in a message: control characters shown as {@code ?}, cut at 80 characters. */
    static String printable(String value) {
        StringBuilder shown = new StringBuilder(Math.min(value.length(), 80));
        for (int i = 0; i < value.length() && i < 80; i++) {
            char c = value.charAt(i);
            shown.append(Character.isISOControl(c) ? '?' : c);
        }
        return value.length() > 80 ? shown + "…" : shown.toString();
    }
}
