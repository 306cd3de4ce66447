package dev.tollgate.identity;

/**
 * How the signed-in user of a delegated token is recorded: as the user's object id ({@link RawUserIds}) or as a keyed
 * hash of it ({@link HashedUserIds}), chosen by {@code tollgate.identity.users.mode}.
 */
public sealed interface UserIds permits RawUserIds, HashedUserIds {

    /** What is recorded for the user with this object id ({@code oid}). */
    String of(String objectId);

    static UserIds of(IdentityConfig.Users config) {
        return switch (config.mode()) {
            case RAW -> new RawUserIds();
            case HASHED -> new HashedUserIds(config.hashKey().orElseThrow(() -> new IllegalStateException(
                    "tollgate.identity.users.mode is hashed but tollgate.identity.users.hash-key is not set")));
        };
    }
}
