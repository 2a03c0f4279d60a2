package io.warehouseapi.snowflake;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMDecryptorProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads the Snowflake service user's RSA private key from PEM text with BouncyCastle: encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}, as {@code openssl pkcs8 -topk8 -v2 aes256} writes it), unencrypted PKCS#8
 * ({@code PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}, also OpenSSL's legacy encrypted form). Every failure says
 * which setting to fix and never repeats the key or the passphrase.
 */
public final class PrivateKeys {

    static final String KEY_SETTING = "warehouse.snowflake.private-key-file";
    static final String PASSPHRASE_SETTING = "warehouse.snowflake.private-key-passphrase";

    private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

    private PrivateKeys() {
    }

    /** The RSA private key in {@code pem}, decrypted with {@code passphrase} (may be null for an unencrypted key). */
    public static PrivateKey read(String pem, char[] passphrase) {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        } catch (IOException e) {
            throw new KeyException("The private key (" + KEY_SETTING + ") is not a readable PEM file");
        }
        if (parsed == null) {
            throw new KeyException("The private key (" + KEY_SETTING + ") holds no PEM private key");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(PROVIDER);
        PrivateKey key;
        try {
            if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(PROVIDER).build(requirePassphrase(passphrase));
                key = converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
            } else if (parsed instanceof PEMEncryptedKeyPair encrypted) {
                PEMDecryptorProvider decryptor = new JcePEMDecryptorProviderBuilder()
                        .setProvider(PROVIDER).build(requirePassphrase(passphrase));
                key = converter.getKeyPair(encrypted.decryptKeyPair(decryptor)).getPrivate();
            } else if (parsed instanceof PEMKeyPair pair) {
                key = converter.getKeyPair(pair).getPrivate();
            } else if (parsed instanceof PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else {
                throw new KeyException("The private key (" + KEY_SETTING + ") is a PEM file, but not of a private key");
            }
        } catch (PKCSException | PEMException | OperatorCreationException e) {
            throw new KeyException("The private key (" + KEY_SETTING + ") cannot be decrypted: check "
                                   + PASSPHRASE_SETTING);
        } catch (IOException e) {
            throw new KeyException("The private key (" + KEY_SETTING + ") cannot be read: check it and "
                                   + PASSPHRASE_SETTING);
        }
        if (!(key instanceof RSAPrivateCrtKey) || !"RSA".equals(key.getAlgorithm())) {
            throw new KeyException("The private key (" + KEY_SETTING + ") is a " + key.getAlgorithm()
                                   + " key; Snowflake key-pair authentication needs an RSA key");
        }
        return key;
    }

    private static char[] requirePassphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new KeyException("The private key (" + KEY_SETTING + ") is encrypted: set " + PASSPHRASE_SETTING);
        }
        return passphrase;
    }

    /** A key that cannot be used; its message names the setting to fix and holds no secret. */
    public static final class KeyException extends IllegalArgumentException {
        public KeyException(String message) {
            super(message);
        }
    }
}
