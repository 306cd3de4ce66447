package dev.tollgate.admission.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rules as JSON, read strictly: invalid JSON, an unknown field (a typo would otherwise drop a limit silently), a value
 * of the wrong type or a duplicate key is an {@link InvalidRuleException} naming it. The same reader serves the admin
 * API, the seed file and the rules stored in the database, and {@link #write} gives the shape it reads, so a GET's
 * answer can be edited and PUT back ({@code id}, {@code createdAt}, {@code updatedAt} are then ignored, {@code id}
 * must be the path's).
 */
public final class RuleJson {

    private static final Set<String> FIELDS = Set.of("id", "subject", "deployment", "modelFamily", "tokensPerMinute",
            "requestsPerMinute", "tokenQuota", "budget", "enforcement", "alertThresholds", "allowedDeployments",
            "allowedModelFamilies", "description", "createdAt", "updatedAt");
    private static final Set<String> SUBJECT_FIELDS = Set.of("type", "id");
    private static final Set<String> QUOTA_FIELDS = Set.of("hour", "day", "month");
    private static final Set<String> BUDGET_FIELDS = Set.of("month", "day");
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private final ObjectReader reader;

    public RuleJson(ObjectMapper mapper) {
        this.reader = mapper.reader()
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .with(NODES);
    }

    /** A whole rule (PUT, seed file, stored row); checked by {@link LimitRules}. */
    public LimitRule read(String id, String body) {
        return read(id, object(body, "The body"));
    }

    /** A JSON merge patch (RFC 7396) applied to a rule: the fields sent replace the rule's, null removes one. */
    public LimitRule patch(LimitRule current, String body) {
        ObjectNode patch = object(body, "The body");
        ObjectNode merged = write(current);
        merge(merged, patch);
        return read(current.id(), merged);
    }

    JsonNode tree(String body, String what) {
        if (body == null || body.isBlank()) {
            throw new InvalidRuleException(what + " is empty; send a JSON rule (docs/admission.md).");
        }
        try {
            return reader.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw new InvalidRuleException(what + " is not valid JSON" + where + ": " + e.getOriginalMessage());
        }
    }

    private ObjectNode object(String body, String what) {
        JsonNode json = tree(body, what);
        if (!(json instanceof ObjectNode object)) {
            throw new InvalidRuleException(what + " must be a JSON object; got " + type(json) + ".");
        }
        return object;
    }

    /** A rule from its JSON object; {@code id} is the rule's (the path's), which a body's {@code id} must match. */
    public LimitRule read(String id, ObjectNode json) {
        known(json, FIELDS, "a rule");
        JsonNode bodyId = json.get("id");
        if (bodyId != null && !bodyId.isNull() && !(bodyId.isTextual() && bodyId.textValue().equals(id))) {
            throw new InvalidRuleException("id in the body (" + LimitRules.printable(bodyId.toString())
                    + ") is not the rule id of the path ('" + LimitRules.printable(id) + "').");
        }
        ObjectNode subjectJson = objectField(json, "subject", true);
        known(subjectJson, SUBJECT_FIELDS, "subject");
        String typeKey = text(subjectJson, "subject.type", true);
        SubjectType type = SubjectType.of(typeKey);
        if (type == null) {
            throw new InvalidRuleException("subject.type '" + LimitRules.printable(typeKey) + "' is unknown; one of "
                    + SubjectType.keys() + ".");
        }
        Subject subject = new Subject(type, text(subjectJson, "subject.id", false));

        ObjectNode quotaJson = objectField(json, "tokenQuota", false);
        TokenQuota quota = null;
        if (quotaJson != null) {
            known(quotaJson, QUOTA_FIELDS, "tokenQuota");
            quota = new TokenQuota(count(quotaJson, "tokenQuota.hour"), count(quotaJson, "tokenQuota.day"),
                    count(quotaJson, "tokenQuota.month"));
        }
        ObjectNode budgetJson = objectField(json, "budget", false);
        CostBudget budget = null;
        if (budgetJson != null) {
            known(budgetJson, BUDGET_FIELDS, "budget");
            budget = new CostBudget(money(budgetJson, "budget.month"), money(budgetJson, "budget.day"));
        }
        String enforcementKey = text(json, "enforcement", false);
        Enforcement enforcement = enforcementKey == null ? Enforcement.HARD : Enforcement.of(enforcementKey);
        if (enforcement == null) {
            throw new InvalidRuleException("enforcement '" + LimitRules.printable(enforcementKey)
                    + "' is unknown; hard (refuse when spent) or soft (alert only).");
        }
        List<Integer> thresholds = json.hasNonNull("alertThresholds")
                ? thresholds(json.get("alertThresholds")) : LimitRules.DEFAULT_THRESHOLDS;
        String family = text(json, "modelFamily", false);
        List<String> families = texts(json, "allowedModelFamilies");
        return new LimitRule(id, subject, text(json, "deployment", false),
                family == null ? null : family.toLowerCase(Locale.ROOT),
                count(json, "tokensPerMinute"), count(json, "requestsPerMinute"), quota, budget, enforcement,
                thresholds, texts(json, "allowedDeployments"),
                families == null ? null : families.stream().map(f -> f.toLowerCase(Locale.ROOT)).toList(),
                text(json, "description", false));
    }

    /** The rule as the API shows it (without timestamps). */
    public static ObjectNode write(LimitRule rule) {
        ObjectNode json = NODES.objectNode();
        json.put("id", rule.id());
        ObjectNode subject = json.putObject("subject");
        subject.put("type", rule.subject().type().key());
        if (rule.subject().id() != null) {
            subject.put("id", rule.subject().id());
        }
        putIfSet(json, "deployment", rule.deployment());
        putIfSet(json, "modelFamily", rule.modelFamily());
        if (rule.tokensPerMinute() != null) {
            json.put("tokensPerMinute", rule.tokensPerMinute());
        }
        if (rule.requestsPerMinute() != null) {
            json.put("requestsPerMinute", rule.requestsPerMinute());
        }
        if (rule.tokenQuota() != null) {
            ObjectNode quota = json.putObject("tokenQuota");
            for (Period period : Period.values()) {
                if (rule.tokenQuota().of(period) != null) {
                    quota.put(period.key(), rule.tokenQuota().of(period));
                }
            }
        }
        if (rule.budget() != null) {
            ObjectNode budget = json.putObject("budget");
            if (rule.budget().month() != null) {
                budget.put("month", rule.budget().month().toPlainString());
            }
            if (rule.budget().day() != null) {
                budget.put("day", rule.budget().day().toPlainString());
            }
        }
        json.put("enforcement", rule.enforcement().key());
        ArrayNode thresholds = json.putArray("alertThresholds");
        rule.alertThresholds().forEach(thresholds::add);
        if (rule.allowedDeployments() != null) {
            ArrayNode allowed = json.putArray("allowedDeployments");
            rule.allowedDeployments().forEach(allowed::add);
        }
        if (rule.allowedModelFamilies() != null) {
            ArrayNode allowed = json.putArray("allowedModelFamilies");
            rule.allowedModelFamilies().forEach(allowed::add);
        }
        putIfSet(json, "description", rule.description());
        return json;
    }

    private static void putIfSet(ObjectNode json, String field, String value) {
        if (value != null) {
            json.put(field, value);
        }
    }

    /** RFC 7396: objects merge recursively, null removes, anything else replaces. */
    private static void merge(ObjectNode target, ObjectNode patch) {
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            JsonNode value = field.getValue();
            JsonNode existing = target.get(field.getKey());
            if (value.isNull()) {
                target.remove(field.getKey());
            } else if (value.isObject() && existing instanceof ObjectNode existingObject) {
                merge(existingObject, (ObjectNode) value);
            } else {
                target.set(field.getKey(), value);
            }
        }
    }

    private static void known(ObjectNode json, Set<String> fields, String what) {
        for (Map.Entry<String, JsonNode> field : json.properties()) {
            if (!fields.contains(field.getKey())) {
                throw new InvalidRuleException("Unknown field '" + LimitRules.printable(field.getKey()) + "' in "
                        + what + "; it has " + String.join(", ", fields.stream().sorted().toList()) + ".");
            }
        }
    }

    private static ObjectNode objectField(ObjectNode json, String field, boolean required) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidRuleException(field + " is required, e.g. {\"type\":\"app\",\"id\":\"<app id>\"}.");
            }
            return null;
        }
        if (!(value instanceof ObjectNode object)) {
            throw new InvalidRuleException(field + " must be a JSON object; got " + type(value) + ".");
        }
        return object;
    }

    private static String text(ObjectNode json, String path, boolean required) {
        JsonNode value = json.get(path.substring(path.lastIndexOf('.') + 1));
        if (value == null || value.isNull()) {
            if (required) {
                throw new InvalidRuleException(path + " is required.");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRuleException(path + " must be a JSON string; got " + type(value) + ".");
        }
        return value.textValue();
    }

    private static Long count(ObjectNode json, String path) {
        JsonNode value = json.get(path.substring(path.lastIndexOf('.') + 1));
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidRuleException(path + " must be a whole number; got " + LimitRules.printable(value.toString())
                    + ".");
        }
        if (value.longValue() < 1) {
            throw new InvalidRuleException(path + " must be at least 1; got " + value.longValue()
                    + " (leave it out for no limit).");
        }
        return value.longValue();
    }

    private static BigDecimal money(ObjectNode json, String path) {
        JsonNode value = json.get(path.substring(path.lastIndexOf('.') + 1));
        if (value == null || value.isNull()) {
            return null;
        }
        BigDecimal amount;
        if (value.isNumber()) {
            amount = value.decimalValue();
        } else if (value.isTextual()) {
            try {
                amount = new BigDecimal(value.textValue().strip());
            } catch (NumberFormatException e) {
                throw new InvalidRuleException(path + " must be an amount such as \"2000.00\"; got '"
                        + LimitRules.printable(value.textValue()) + "'.");
            }
        } else {
            throw new InvalidRuleException(path + " must be an amount (a number or a decimal string); got "
                    + type(value) + ".");
        }
        if (amount.signum() <= 0) {
            throw new InvalidRuleException(path + " must be more than 0; got " + amount.toPlainString() + ".");
        }
        if (amount.scale() > 6 || amount.precision() - amount.scale() > 15) {
            throw new InvalidRuleException(path + " must have at most 15 digits before the point and 6 after; got "
                    + amount.toPlainString() + ".");
        }
        return amount.scale() < 0 ? amount.setScale(0) : amount; // 2E+3 reads as 2000
    }

    private static List<Integer> thresholds(JsonNode value) {
        if (!value.isArray()) {
            throw new InvalidRuleException("alertThresholds must be an array of percentages, e.g. [50, 80, 100]; got "
                    + type(value) + ".");
        }
        List<Integer> thresholds = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                throw new InvalidRuleException("alertThresholds must hold whole percentages; got "
                        + LimitRules.printable(item.toString()) + ".");
            }
            thresholds.add(item.intValue());
        }
        return thresholds;
    }

    private static List<String> texts(ObjectNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw new InvalidRuleException(field + " must be an array of strings; got " + type(value) + ".");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new InvalidRuleException(field + " must hold strings; got " + type(item) + ".");
            }
            texts.add(item.textValue());
        }
        return texts;
    }

    private static String type(JsonNode value) {
        return value.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
