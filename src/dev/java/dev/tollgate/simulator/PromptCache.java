package dev.tollgate.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prompts a backend has already processed, so a repeated long prompt reports cached tokens as Azure's prompt caching
 * does. Only digests are kept, and the set is bounded, because a long-running dev gateway must not grow without end.
 */
final class PromptCache {

    private static final int MAX_ENTRIES = 10_000;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** Remembers the prompt and tells whether it had been seen before. */
    boolean checkAndRemember(String cacheKey) {
        if (seen.size() >= MAX_ENTRIES) {
            seen.clear(); // crude eviction is fine: a cache miss is always a legal answer
        }
        return !seen.add(digest(cacheKey));
    }

    void clear() {
        seen.clear();
    }

    private static String digest(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every JVM", e);
        }
    }
}
