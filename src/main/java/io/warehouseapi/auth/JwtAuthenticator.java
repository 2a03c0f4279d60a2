package io.warehouseapi.auth;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Signed JWTs ({@code api.auth.mode=jwt}), verified with Nimbus JOSE+JWT: the signature with the one configured
 * algorithm (HS256 with a shared secret, or RS256 with a public key or a JWKS file), then the issuer and audience,
 * which must match, and the expiry, which must be present and in the future (within a clock skew). The subject becomes
 * the principal. A token signed with another algorithm, {@code none} included, is refused.
 */
public class JwtAuthenticator implements Authenticator {

    private static final ObjectMapper CLAIMS = new ObjectMapper();

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    private JwtAuthenticator(JWSKeySelector<SecurityContext> keys, String issuer, String audience, int clockSkewSeconds) {
        processor.setJWSKeySelector(keys);
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew(clockSkewSeconds);
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** HS256 with a shared secret of at least 256 bits. */
    public static JwtAuthenticator hs256(byte[] secret, String issuer, String audience, int clockSkewSeconds) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the HS256 secret must be at least 32 bytes");
        }
        return new JwtAuthenticator(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret)),
                issuer, audience, clockSkewSeconds);
    }

    /** RS256 with a JWKS document (the keys a token's {@code kid} is looked up in). */
    public static JwtAuthenticator rs256Jwks(String jwks, String issuer, String audience, int clockSkewSeconds) {
        JWKSet set;
        try {
            set = JWKSet.parse(jwks);
        } catch (ParseException e) {
            throw new IllegalArgumentException("the JWKS file is not a valid JWK set");
        }
        if (set.getKeys().isEmpty()) {
            throw new IllegalArgumentException("the JWKS file holds no keys");
        }
        JWKSource<SecurityContext> keys = new ImmutableJWKSet<>(set);
        return new JwtAuthenticator(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys), issuer, audience,
                clockSkewSeconds);
    }

    /** RS256 with one RSA public key in PEM ({@code -----BEGIN PUBLIC KEY-----}). */
    public static JwtAuthenticator rs256Pem(String pem, String issuer, String audience, int clockSkewSeconds) {
        PublicKey key;
        try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            if (!(object instanceof SubjectPublicKeyInfo info)) {
                throw new IllegalArgumentException("the public key file does not hold a PEM public key");
            }
            key = new JcaPEMKeyConverter().getPublicKey(info);
        } catch (IOException e) {
            throw new IllegalArgumentException("the public key file cannot be read as PEM");
        }
        if (!(key instanceof RSAPublicKey rsa)) {
            throw new IllegalArgumentException("the public key is not an RSA key");
        }
        // one key: whatever key id a token names, it is checked against this key
        return new JwtAuthenticator(new SingleKeyJWSKeySelector<>(JWSAlgorithm.RS256, rsa), issuer, audience,
                clockSkewSeconds);
    }

    @Override
    public Principal authenticate(String credential) throws AuthenticationException {
        if (credential == null || credential.isEmpty()) {
            throw new AuthenticationException("No token was given.");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(credential, null);
        } catch (ExpiredJWTException e) {
            throw new AuthenticationException("The token has expired.");
        } catch (BadJWTException e) {
            String reason = String.valueOf(e.getMessage());
            throw new AuthenticationException("The token's claims are not accepted: "
                                              + (reason.length() > 200 ? reason.substring(0, 200) : reason));
        } catch (ParseException e) {
            throw new AuthenticationException("The token is not a JWT.");
        } catch (BadJOSEException | JOSEException e) {
            throw new AuthenticationException("The token's signature is not valid.");
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank() || subject.length() > 256) {
            throw new AuthenticationException("The token has no usable subject.");
        }
        Date expiry = claims.getExpirationTime();
        // the claims are its security context: what the access policies read
        ObjectNode context = CLAIMS.valueToTree(claims.toJSONObject());
        return new Principal(subject, expiry == null ? null : Instant.ofEpochMilli(expiry.getTime()), context);
    }

    @Override
    public String mode() {
        return "jwt";
    }
}
