package io.tidegate.plugins.jwtauth;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.SignatureGenerationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * EdDSA (Ed25519, Ed448) verification, which java-jwt lacks, on the JDK's own EdDSA signatures.
 * Verification only: the gateway never signs tokens.
 */
final class EdDsaAlgorithm extends Algorithm {
    private final PublicKey key;

    EdDsaAlgorithm(PublicKey key) {
        super("EdDSA", "EdDSA");
        this.key = key;
    }

    @Override
    public void verify(DecodedJWT jwt) throws SignatureVerificationException {
        try {
            Signature signature = Signature.getInstance("EdDSA");
            signature.initVerify(key);
            signature.update((jwt.getHeader() + "." + jwt.getPayload()).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(Base64.getUrlDecoder().decode(jwt.getSignature()))) {
                throw new SignatureVerificationException(this);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SignatureVerificationException(this, e);
        }
    }

    @Override
    public byte[] sign(byte[] contentBytes) throws SignatureGenerationException {
        throw new SignatureGenerationException(this, new UnsupportedOperationException("the gateway only verifies"));
    }
}
