package dev.tollgate.metering;

import dev.tollgate.routing.Target;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model each target serves, for pricing an answer that was cut before it named one: configured
 * ({@link MeteringConfig#servedModels()}), else the model its latest answer named.
 */
@Singleton
public class ServedModels {

    private final Map<String, String> configured;
    private final Map<Target, String> learned = new ConcurrentHashMap<>();

    public ServedModels(MeteringConfig config) {
        this.configured = config.servedModels();
    }

    /** An answer of this target named that model. */
    void learn(Target target, String model) {
        if (!model.equals(learned.get(target))) {
            learned.put(target, model);
        }
    }

    /** The model the target is known to serve, if it is. */
    Optional<String> of(Target target) {
        String model = configured.get(target.backend().id() + "/" + target.upstreamDeployment());
        return Optional.ofNullable(model != null ? model : learned.get(target));
    }
}
