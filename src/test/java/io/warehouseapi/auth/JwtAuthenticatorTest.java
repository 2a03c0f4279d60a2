package io.warehouseapi.auth;

import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Base64;

import io.warehouseapi.snowflake.TestKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JWT checks: signature with the configured algorithm only, issuer, audience, expiry and subject. */
class JwtAuthenticatorTest {

    private static KeyPair keys;
    private static KeyPair otherKeys;
    private static final Instant SOON = Instant.now().plusSeconds(600);

    @BeforeAll
    static void keys() throws Exception {
        keys = TestKeys.rsa();
        otherKeys = TestKeys.rsa();
    }

    private static JwtAuthenticator hs() {
        return JwtAuthenticator.hs256(Jwts.HS_SECRET.getBytes(UTF_8), Jwts.ISSUER, Jwts.AUDIENCE, 30);
    }

    private static JwtAuthenticator jwks() {
        return JwtAuthenticator.rs256Jwks(Jwts.jwks(keys, "k1"), Jwts.ISSUER, Jwts.AUDIENCE, 30);
    }

    private static String pem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(keys.getPublic().getEncoded())
               + "\n-----END PUBLIC KEY-----\n";
    }

    @Test
    void the_tokens_claims_are_its_principals_security_context() throws Exception {
        Principal principal = hs().authenticate(Jwts.hs256(Jwts.claims("pat", SOON).claim("roles", List.of("partner"))
                .claim("stations", List.of(101, 102)).build(), Jwts.HS_SECRET));
        assertThat(principal.claim("roles").get(0).asText()).isEqualTo("partner");
        assertThat(principal.claim("stations").get(1).asInt()).isEqualTo(102);
        assertThat(principal.claim("sub").asText()).isEqualTo("pat");
        assertThat(principal.claim("missing")).isNull();
    }

    @Test
    void a_valid_hs256_token_gives_its_subject_and_expiry() throws Exception {
        Principal principal = hs().authenticate(Jwts.hs256(Jwts.claims("alice", SOON).build(), Jwts.HS_SECRET));
        assertThat(principal.name()).isEqualTo("alice");
        assertThat(principal.expiresAt().getEpochSecond()).isEqualTo(SOON.getEpochSecond());
    }

    @Test
    void a_valid_rs256_token_verifies_with_a_jwks_file_or_a_pem_key() throws Exception {
        String token = Jwts.rs256(Jwts.claims("bob", SOON).build(), keys, "k1");
        assertThat(jwks().authenticate(token).name()).isEqualTo("bob");
        assertThat(JwtAuthenticator.rs256Pem(pem(), Jwts.ISSUER, Jwts.AUDIENCE, 30).authenticate(token).name())
                .isEqualTo("bob");
    }

    @Test
    void expired_wrong_audience_wrong_issuer_and_missing_subject_are_refused() throws Exception {
        assertRefused(hs(), Jwts.hs256(Jwts.claims("alice", Instant.now().minusSeconds(120)).build(), Jwts.HS_SECRET),
                "expired");
        assertRefused(hs(), Jwts.hs256(Jwts.claims("alice", SOON).audience("other-api").build(), Jwts.HS_SECRET),
                "claims");
        assertRefused(hs(), Jwts.hs256(Jwts.claims("alice", SOON).issuer("https://evil.example").build(),
                Jwts.HS_SECRET), "claims");
        assertRefused(hs(), Jwts.hs256(Jwts.claims(null, SOON).build(), Jwts.HS_SECRET), "claims");
    }

    @Test
    void a_token_without_expiry_is_refused() throws Exception {
        String token = Jwts.hs256(Jwts.claims("alice", SOON).expirationTime(null).build(), Jwts.HS_SECRET);
        assertRefused(hs(), token, "claims");
    }

    @Test
    void a_wrong_signature_an_unsigned_token_and_another_algorithm_are_refused() throws Exception {
        assertRefused(hs(), Jwts.hs256(Jwts.claims("alice", SOON).build(), Jwts.HS_SECRET + "x"), "signature");
        assertRefused(jwks(), Jwts.rs256(Jwts.claims("alice", SOON).build(), otherKeys, "k1"), "signature");
        assertRefused(hs(), Jwts.unsigned(Jwts.claims("alice", SOON).build()), "");
        assertRefused(jwks(), Jwts.unsigned(Jwts.claims("alice", SOON).build()), "");
        // an HS256 token whose secret is the RS256 public key: the classic algorithm confusion
        assertRefused(JwtAuthenticator.rs256Pem(pem(), Jwts.ISSUER, Jwts.AUDIENCE, 30),
                Jwts.hs256(Jwts.claims("alice", SOON).build(), pem()), "signature");
        assertRefused(hs(), "not.a.jwt", "");
        assertRefused(hs(), "", "");
    }

    @Test
    void a_short_hs256_secret_is_a_configuration_error() {
        assertThatThrownBy(() -> JwtAuthenticator.hs256("short".getBytes(UTF_8), Jwts.ISSUER, Jwts.AUDIENCE, 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }

    private static void assertRefused(JwtAuthenticator authenticator, String token, String reason) {
        assertThatThrownBy(() -> authenticator.authenticate(token))
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining(reason)
                .message().doesNotContain(token.isEmpty() ? "\u0000" : token);
    }
}
