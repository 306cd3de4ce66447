package dev.tollgate.identity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashedUserIdsTest {

    private static final String KEY = "a-secret-key-of-at-least-32-bytes!";
    private static final String OID = "9f1c2d3e-4b5a-6789-0abc-def012345678";

    @Test
    void theSameUserGetsTheSameIdWhichIsNotTheObjectId() {
        String id = new HashedUserIds(KEY).of(OID);
        assertThat(new HashedUserIds(KEY).of(OID)).isEqualTo(id);
        assertThat(id).isNotEqualTo(OID).doesNotContain("9f1c2d3e").matches("[A-Za-z0-9_-]{43}");
        assertThat(new HashedUserIds(KEY).of("another-user")).isNotEqualTo(id);
    }

    @Test
    void anotherKeyGivesAnotherId() {
        assertThat(new HashedUserIds(KEY + "x").of(OID)).isNotEqualTo(new HashedUserIds(KEY).of(OID));
    }

    @Test
    void itIsHmacSha256OfTheObjectIdInBase64Url() {
        // From openssl: printf %s "$OID" | openssl dgst -sha256 -hmac "$KEY" -binary | basenc --base64url
        assertThat(new HashedUserIds(KEY).of(OID)).isEqualTo("ZSQ9_dvBG38D_esSV-M86wEnq3Z3wX2NpuF8SXSj73A");
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatThrownBy(() -> new HashedUserIds("too-short")).hasMessageContaining("at least 32 bytes");
    }
}
