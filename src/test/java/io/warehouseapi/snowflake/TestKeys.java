package io.warehouseapi.snowflake;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.util.io.pem.PemObject;

/** Key pairs for the tests, written in each PEM form a user may have. */
public final class TestKeys {

    public static final String PASSPHRASE = "correct horse battery staple 42";

    private TestKeys() {
    }

    public static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    public static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** Encrypted PKCS#8 with AES-256, as {@code openssl pkcs8 -topk8 -v2 aes256} writes it. */
    public static String encryptedPkcs8(PrivateKey key, String passphrase) throws Exception {
        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_aes256_CBC)
                .setProvider(new BouncyCastleProvider())
                .setPassword(passphrase.toCharArray())
                .build();
        return pem(new JcaPKCS8Generator(key, encryptor).generate());
    }

    /** Unencrypted PKCS#8: {@code -----BEGIN PRIVATE KEY-----}. */
    public static String pkcs8(PrivateKey key) throws Exception {
        return pem(new JcaPKCS8Generator(key, null).generate());
    }

    /** PKCS#1: {@code -----BEGIN RSA PRIVATE KEY-----}. */
    public static String pkcs1(PrivateKey key) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(key);
        }
        return out.toString();
    }

    private static String pem(PemObject object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

}
