package io.warehouseapi.auth;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** API key lists: hashed and plain entries, the principal of a match, and lists that are refused at start. */
class TokenAuthenticatorTest {

    private static final String KEY = "k3y-with-enough-characters-0001";

    @Test
    void hashed_and_plain_entries_match_their_key_only() throws Exception {
        String hash = java.util.HexFormat.of().formatHex(TokenAuthenticator.sha256(KEY));
        TokenAuthenticator tokens = TokenAuthenticator.parse(List.of("# comment\nalice:sha256:" + hash.toUpperCase()
                                                                     + "\n\n", "bob:plain-key-with-enough-chars,carol:sha256:" + "0".repeat(64)), "test");
        assertThat(tokens.size()).isEqualTo(3);
        assertThat(tokens.authenticate(KEY).name()).isEqualTo("alice");
        assertThat(tokens.authenticate("plain-key-with-enough-chars").name()).isEqualTo("bob");
        assertThat(tokens.authenticate(KEY).expiresAt()).isNull();
        assertThatThrownBy(() -> tokens.authenticate(KEY.substring(1))).isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(() -> tokens.authenticate("sha256:" + hash)).isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(() -> tokens.authenticate("")).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void an_entry_alone_on_its_line_may_carry_its_principals_attributes() throws Exception {
        TokenAuthenticator tokens = TokenAuthenticator.parse(List.of(
                "pat:" + KEY + " {\"roles\":[\"partner\"],\"stations\":[101,102]}\n"
                + "bob:plain-key-with-enough-chars,carol:another-plain-key-long-enough"), "test");
        assertThat(tokens.size()).isEqualTo(3);
        Principal pat = tokens.authenticate(KEY);
        assertThat(pat.name()).isEqualTo("pat");
        assertThat(pat.claim("roles").get(0).asText()).isEqualTo("partner");
        assertThat(pat.claim("stations").size()).isEqualTo(2);
        assertThat(tokens.authenticate("plain-key-with-enough-chars").claims().isEmpty()).isTrue();
        assertThatThrownBy(() -> TokenAuthenticator.parse(List.of("pat:" + KEY + " {roles: partner}"), "api.auth.tokens"))
                .hasMessageContaining("attributes of entry 1 are not a JSON object").hasMessageNotContaining(KEY);
    }

    @Test
    void bad_lists_are_refused_without_repeating_a_key() {
        assertThatThrownBy(() -> TokenAuthenticator.parse(List.of("# nothing"), "api.auth.tokens"))
                .hasMessageContaining("no keys");
        assertThatThrownBy(() -> TokenAuthenticator.parse(List.of("alice:short"), "api.auth.tokens"))
                .hasMessageContaining("shorter than").hasMessageNotContaining("short\"");
        assertThatThrownBy(() -> TokenAuthenticator.parse(List.of("just-a-key-without-a-principal"), "api.auth.tokens"))
                .hasMessageContaining("entry 1").hasMessageNotContaining("just-a-key");
        assertThatThrownBy(() -> TokenAuthenticator.parse(List.of("bad name:" + KEY), "api.auth.tokens"))
                .hasMessageContaining("principal name").hasMessageNotContaining(KEY);
    }
}
