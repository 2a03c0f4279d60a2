package io.warehouseapi.auth;

import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

/** Signs test JWTs as an identity provider would. */
public final class Jwts {

    public static final String ISSUER = "https://idp.test.example";
    public static final String AUDIENCE = "warehouse-api";
    public static final String HS_SECRET = "a-shared-hs256-secret-of-at-least-32-bytes!";

    private Jwts() {
    }

    public static JWTClaimsSet.Builder claims(String subject, Instant expiry) {
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
                .issueTime(new Date()).expirationTime(Date.from(expiry));
    }

    public static String hs256(JWTClaimsSet claims, String secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    public static String rs256(JWTClaimsSet claims, KeyPair keys, String keyId) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).type(JOSEObjectType.JWT)
                .build(), claims);
        jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        return jwt.serialize();
    }

    public static String unsigned(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    public static String jwks(KeyPair keys, String keyId) {
        return new JWKSet(new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(keyId).build()).toString();
    }
}
