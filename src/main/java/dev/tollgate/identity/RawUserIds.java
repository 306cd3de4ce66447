package dev.tollgate.identity;

/** Records the user's object id as it is: reports name the user as Entra does. */
public final class RawUserIds implements UserIds {

    @Override
    public String of(String objectId) {
        return objectId;
    }
}
