package dev.tollgate.capacity;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON bodies the capacity tests post: capacity rows and the pay-as-you-go price spilled requests are priced at. */
final class CapacityFixtures {

    private CapacityFixtures() {
    }

    /** A capacity row for {@code POST /api/capacity/rows}, in USD; {@code to} may be null (open-ended). */
    static Map<String, Object> capacity(String backend, String deployment, String model, String type, int ptu,
                                        String billing, String amount, String policy, String idleOwner, String from,
                                        String to) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("backend", backend);
        row.put("deployment", deployment);
        row.put("model", model);
        row.put("deploymentType", type);
        row.put("ptu", ptu);
        row.put("billing", billing);
        row.put("currency", "USD");
        row.put("amount", new BigDecimal(amount));
        row.put("policy", policy);
        row.put("idleOwner", idleOwner);
        row.put("effectiveFrom", from);
        row.put("effectiveTo", to);
        return row;
    }

    /** gpt-4o, regional, in the region, from 2024: 2.50 input, 1.25 cached input, 10.00 output per 1M tokens. */
    static Map<String, Object> regionalGpt4oPrice(String region) {
        Map<String, Object> price = new LinkedHashMap<>();
        price.put("model", "gpt-4o");
        price.put("deploymentType", "regional");
        price.put("region", region);
        price.put("currency", "USD");
        price.put("inputPer1m", new BigDecimal("2.5"));
        price.put("cachedInputPer1m", new BigDecimal("1.25"));
        price.put("outputPer1m", new BigDecimal("10"));
        price.put("effectiveFrom", "2024-01-01");
        return price;
    }
}
