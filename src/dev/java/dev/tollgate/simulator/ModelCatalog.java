package dev.tollgate.simulator;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which model version a deployment serves. Azure reports the pinned model version (not the deployment name) in the
 * {@code model} field, and the gateway may meter by it, so the simulator mirrors that.
 */
final class ModelCatalog {

    private static final Map<String, String> MODEL_BY_DEPLOYMENT = Map.of(
            "gpt-4o", "gpt-4o-2024-08-06",
            "gpt-4o-mini", "gpt-4o-mini-2024-07-18",
            "gpt-4.1", "gpt-4.1-2025-04-14",
            "o3-mini", "o3-mini-2025-01-31",
            "text-embedding-3-small", "text-embedding-3-small");

    /** o1, o3, o4 ... families think before answering and bill those hidden tokens as completion tokens. */
    private static final Pattern REASONING_FAMILY = Pattern.compile("^o\\d.*");

    private ModelCatalog() {
    }

    /** The model version served by a deployment; unknown deployments serve a model named like the deployment. */
    static String servedModel(String deployment) {
        return MODEL_BY_DEPLOYMENT.getOrDefault(deployment, deployment);
    }

    static boolean isReasoningModel(String model) {
        return REASONING_FAMILY.matcher(model).matches();
    }
}
