package dev.tollgate.apps;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Who an app id is, for code that needs it outside SQL (reports mostly join the {@code app} table instead). Reads the
 * database on every call; blocking: call it from a worker thread. An app id that is not found is unregistered: its
 * usage is metered all the same.
 */
@ApplicationScoped
public class AppRegistry {

    @Transactional
    public Optional<RegisteredApp> find(String appId) {
        if (!AppRules.isPossibleAppId(appId)) {
            return Optional.empty();
        }
        return App.<App>findByIdOptional(appId).map(App::toRegisteredApp);
    }

    /** Every registered app, by app id (in Java's order, whatever the database's collation). */
    @Transactional
    public List<RegisteredApp> all() {
        return App.<App>listAll().stream().map(App::toRegisteredApp)
                .sorted(Comparator.comparing(RegisteredApp::appId)).toList();
    }
}
