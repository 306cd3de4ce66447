package dev.tollgate.admission.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.admission.AdmissionConfig;
import dev.tollgate.admission.AdmissionConfig.SeedMode;
import dev.tollgate.seeding.SeedFile;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Stores the rules of the seed file ({@code tollgate.admission.seed-file}): a JSON array of rules as the admin API
 * shows them, each with its {@code id}. The whole file is checked before anything is stored, and a configured file
 * that is absent or invalid fails the start: a limit that silently did not apply would be found on the invoice.
 */
public final class RuleSeeder {

    private static final Logger LOG = Logger.getLogger(RuleSeeder.class);

    private final RuleStore store;
    private final RuleJson json;

    public RuleSeeder(RuleStore store, ObjectMapper mapper) {
        this.store = store;
        this.json = new RuleJson(mapper);
    }

    public void seed(AdmissionConfig config) throws SQLException {
        if (config.seedFile().isPresent()) {
            seed(config.seedFile().get(), config.seedMode());
        }
    }

    /** Checks every rule of the file, then stores them; throws, storing nothing, if any is invalid. */
    public List<RuleStore.Put> seed(String location, SeedMode mode) throws SQLException {
        List<LimitRule> rules = parse(location, SeedFile.read(location, "Rule seed file", "tollgate.admission.seed-file"));
        List<RuleStore.Put> puts = new ArrayList<>();
        for (LimitRule rule : rules) {
            puts.add(store.put(rule, mode == SeedMode.UPSERT));
        }
        LOG.infof("Admission rules seeded from %s: %d rules, %d added, %d updated, %d kept as stored", location,
                rules.size(), count(puts, RuleStore.Outcome.CREATED), count(puts, RuleStore.Outcome.UPDATED),
                count(puts, RuleStore.Outcome.KEPT));
        return puts;
    }

    List<LimitRule> parse(String location, String text) {
        JsonNode tree;
        try {
            tree = json.tree(text, "Rule seed file " + location);
        } catch (InvalidRuleException e) {
            throw new IllegalStateException(e.getMessage());
        }
        if (!tree.isArray()) {
            throw new IllegalStateException("Rule seed file " + location + " must hold a JSON array of rules.");
        }
        List<LimitRule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonNode item : tree) {
            index++;
            try {
                if (!(item instanceof ObjectNode object) || !item.path("id").isTextual()) {
                    throw new InvalidRuleException("each rule must be a JSON object with an id.");
                }
                String id = object.get("id").textValue();
                LimitRules.checkId(id);
                if (!ids.add(id)) {
                    throw new InvalidRuleException("rule id '" + id + "' appears twice.");
                }
                rules.add(LimitRules.check(json.read(id, object)));
            } catch (InvalidRuleException e) {
                throw new IllegalStateException("Rule seed file " + location + ", rule " + index + ": "
                        + e.getMessage());
            }
        }
        return rules;
    }

    private static long count(List<RuleStore.Put> puts, RuleStore.Outcome outcome) {
        return puts.stream().filter(put -> put.outcome() == outcome).count();
    }
}
