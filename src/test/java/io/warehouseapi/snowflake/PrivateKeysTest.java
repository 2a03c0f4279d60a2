package io.warehouseapi.snowflake;

import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each PEM form of the service user's key, read with BouncyCastle; each failure names the setting to fix. */
class PrivateKeysTest {

    private static KeyPair rsa;

    @BeforeAll
    static void keys() throws Exception {
        rsa = TestKeys.rsa();
    }

    @Test
    void encrypted_pkcs8_with_the_right_passphrase_gives_the_rsa_key() throws Exception {
        String pem = TestKeys.encryptedPkcs8(rsa.getPrivate(), TestKeys.PASSPHRASE);
        assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertSameKey(PrivateKeys.read(pem, TestKeys.PASSPHRASE.toCharArray()));
    }

    @Test
    void encrypted_pkcs8_with_a_wrong_passphrase_names_the_passphrase_setting() throws Exception {
        String pem = TestKeys.encryptedPkcs8(rsa.getPrivate(), TestKeys.PASSPHRASE);
        assertThatThrownBy(() -> PrivateKeys.read(pem, "wrong passphrase".toCharArray()))
                .isInstanceOf(PrivateKeys.KeyException.class)
                .hasMessageContaining("warehouse.snowflake.private-key-passphrase")
                .hasMessageNotContaining("wrong passphrase");
        assertThatThrownBy(() -> PrivateKeys.read(pem, null))
                .hasMessageContaining("is encrypted: set warehouse.snowflake.private-key-passphrase");
    }

    @Test
    void unencrypted_pkcs8_and_pkcs1_give_the_rsa_key() throws Exception {
        String pkcs8 = TestKeys.pkcs8(rsa.getPrivate());
        assertThat(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----");
        assertSameKey(PrivateKeys.read(pkcs8, null));
        String pkcs1 = TestKeys.pkcs1(rsa.getPrivate());
        assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertSameKey(PrivateKeys.read(pkcs1, null));
    }

    @Test
    void a_key_that_is_not_rsa_or_not_a_key_is_refused_with_the_setting_named() throws Exception {
        String ec = TestKeys.pkcs8(TestKeys.ec().getPrivate());
        assertThatThrownBy(() -> PrivateKeys.read(ec, null))
                .hasMessageContaining("warehouse.snowflake.private-key-file").hasMessageContaining("needs an RSA key");
        assertThatThrownBy(() -> PrivateKeys.read("not a pem file", null))
                .hasMessageContaining("warehouse.snowflake.private-key-file");
        String certificateLike = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        assertThatThrownBy(() -> PrivateKeys.read(certificateLike, null))
                .hasMessageContaining("not of a private key");
    }

    private static void assertSameKey(java.security.PrivateKey key) {
        assertThat(key).isInstanceOf(RSAPrivateCrtKey.class);
        assertThat(((RSAPrivateCrtKey) key).getModulus())
                .isEqualTo(((java.security.interfaces.RSAPublicKey) rsa.getPublic()).getModulus());
    }
}
