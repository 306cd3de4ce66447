package dev.tollgate.identity;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Records HMAC-SHA256 of the user's object id under a secret key (base64url, 43 characters): the same user always
 * gets the same id, so reports still group by user, but the id cannot be traced back to a person without the key.
 * A plain hash would not do: object ids are few enough for anyone with the directory to hash them all.
 */
public final class HashedUserIds implements UserIds {

    /** Shorter keys make the hash guessable; 32 bytes is HMAC-SHA256's own block of strength. */
    static final int MIN_KEY_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final Mac prototype;

    public HashedUserIds(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalStateException("tollgate.identity.users.hash-key must be at least " + MIN_KEY_BYTES
                    + " bytes long");
        }
        try {
            prototype = Mac.getInstance(ALGORITHM);
            prototype.init(new SecretKeySpec(bytes, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK has no " + ALGORITHM, e);
        }
    }

    @Override
    public String of(String objectId) {
        try {
            // A Mac is not thread-safe; a clone of the initialised one skips the provider lookup and key setup.
            Mac mac = (Mac) prototype.clone();
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(objectId.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(ALGORITHM + " cannot be cloned", e);
        }
    }
}
