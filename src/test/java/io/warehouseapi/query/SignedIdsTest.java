package io.warehouseapi.query;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signed query ids: any holder of a listed key opens them; tampered, expired, foreign and retired-key ids do not. */
class SignedIdsTest {

    private static final String OLD = key(1);
    private static final String NEW = key(2);
    private static final UUID REF = UUID.fromString("01bf3c2e-0000-4f3a-9d1e-7c2a5b8e9f10");
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private static String key(int seed) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, (byte) seed);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void an_id_is_short_url_safe_and_names_its_result_for_its_owner() {
        SignedIds ids = SignedIds.of(List.of(NEW, OLD));
        String id = ids.issue(SignedIds.Kind.QUERY, "principal:ana", REF, NOW.plusSeconds(60));
        assertThat(id).hasSizeLessThanOrEqualTo(64).matches("[A-Za-z0-9_-]+");
        assertThat(ids.issue(SignedIds.Kind.QUERY, "principal:ana", REF, NOW.plusSeconds(60))).isNotEqualTo(id);
        SignedIds.Opened opened = ids.open(SignedIds.Kind.QUERY, "principal:ana", id, NOW);
        assertThat(opened.ref()).isEqualTo(REF);
        assertThat(opened.expiresAt()).isEqualTo(NOW.plusSeconds(60));
        // the running reply of the original page stays under 100 bytes
        assertThat(("{\"type\":\"running\",\"query_id\":\"" + id + "\"}").length()).isLessThan(100);
    }

    @Test
    void another_owner_kind_or_an_expired_id_does_not_open() {
        SignedIds ids = SignedIds.of(List.of(NEW));
        String id = ids.issue(SignedIds.Kind.QUERY, "principal:ana", REF, NOW.plusSeconds(60));
        assertThat(ids.open(SignedIds.Kind.QUERY, "principal:bob", id, NOW)).isNull();
        assertThat(ids.open(SignedIds.Kind.EXPORT, "principal:ana", id, NOW)).isNull();
        assertThat(ids.open(SignedIds.Kind.QUERY, "principal:ana", id, NOW.plusSeconds(60))).isNull();
        assertThat(ids.open(SignedIds.Kind.QUERY, "principal:ana", id, NOW.plusSeconds(59))).isNotNull();
    }

    @Test
    void every_changed_character_is_refused() {
        SignedIds ids = SignedIds.of(List.of(NEW));
        String id = ids.issue(SignedIds.Kind.QUERY, "principal:ana", REF, NOW.plusSeconds(60));
        for (int i = 0; i < id.length(); i++) {
            char replaced = id.charAt(i) == 'A' ? 'B' : 'A';
            String tampered = id.substring(0, i) + replaced + id.substring(i + 1);
            assertThat(ids.open(SignedIds.Kind.QUERY, "principal:ana", tampered, NOW)).as("position %d", i).isNull();
        }
        assertThat(ids.open(SignedIds.Kind.QUERY, "principal:ana", id + "A", NOW)).isNull();
        assertThat(ids.open(SignedIds.Kind.QUERY, "principal:ana", id.substring(1), NOW)).isNull();
        assertThat(ids.open(SignedIds.Kind.QUERY, "principal:ana", "../../etc/passwd", NOW)).isNull();
    }

    @Test
    void a_listed_older_key_verifies_and_a_retired_one_does_not() {
        String byOld = SignedIds.of(List.of(OLD)).issue(SignedIds.Kind.QUERY, "principal:ana", REF,
                NOW.plusSeconds(60));
        assertThat(SignedIds.of(List.of(NEW, OLD)).open(SignedIds.Kind.QUERY, "principal:ana", byOld, NOW))
                .isNotNull();
        assertThat(SignedIds.of(List.of(NEW)).open(SignedIds.Kind.QUERY, "principal:ana", byOld, NOW)).isNull();
    }

    @Test
    void a_process_without_keys_signs_with_its_own() {
        SignedIds one = SignedIds.of(List.of());
        SignedIds other = SignedIds.of(List.of(" "));
        assertThat(one.isGenerated()).isTrue();
        String id = one.issue(SignedIds.Kind.QUERY, "principal:ana", REF, NOW.plusSeconds(60));
        assertThat(one.open(SignedIds.Kind.QUERY, "principal:ana", id, NOW)).isNotNull();
        assertThat(other.open(SignedIds.Kind.QUERY, "principal:ana", id, NOW)).isNull();
    }

    @Test
    void a_short_or_malformed_key_is_refused_without_quoting_it() {
        assertThatThrownBy(() -> SignedIds.of(List.of(Base64.getEncoder().encodeToString(new byte[16]))))
                .hasMessageContaining("at least 32").hasMessageNotContaining("AAAA");
        assertThatThrownBy(() -> SignedIds.of(List.of("not*base64!secret")))
                .hasMessageContaining("not base64").hasMessageNotContaining("secret");
    }
}
