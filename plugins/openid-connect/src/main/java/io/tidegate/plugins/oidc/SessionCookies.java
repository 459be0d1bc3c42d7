package io.tidegate.plugins.oidc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The browser login's session, kept by the browser: a JSON object encrypted and authenticated
 * with AES-256-GCM under a key derived from {@code session.secret}, so any gateway node with the
 * same secret reads it and nobody else can read or alter it. A session too long for one cookie is
 * split over {@code name}, {@code name_2}, ... (at most {@link #MAX_CHUNKS}); the first carries the
 * count.
 */
final class SessionCookies {
    static final int MAX_CHUNKS = 4;
    private static final int CHUNK = 3800;
    private static final int IV_BYTES = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String name;
    private final String attributes;
    private final Boolean secure;
    /** Authenticated with every session: a session made for one provider and client is no session for another. */
    private final byte[] binding;

    /**
     * {@code session.cookie_secure} unset: Secure when the request came over https. {@code binding}
     * names what the session is for (provider and client id).
     */
    SessionCookies(OpenIdConnectPlugin.Session settings, String binding) {
        try {
            byte[] derived = MessageDigest.getInstance("SHA-256")
                    .digest(("tidegate openid-connect session\0" + settings.secret()).getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(derived, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        this.name = settings.cookieName();
        this.binding = (name + "\0" + binding).getBytes(StandardCharsets.UTF_8);
        StringBuilder attrs = new StringBuilder("; Path=").append(settings.cookiePath());
        if (settings.cookieDomain() != null) {
            attrs.append("; Domain=").append(settings.cookieDomain());
        }
        this.secure = settings.cookieSecure();
        if (settings.cookieHttpOnly()) {
            attrs.append("; HttpOnly");
        }
        if (!settings.cookieSameSite().equals("Default")) {
            attrs.append("; SameSite=").append(settings.cookieSameSite());
        }
        this.attributes = attrs.toString();
    }

    /** The session in the request's cookies ({@code cookies} reads one by name), or null when absent, altered or foreign. */
    ObjectNode read(Function<String, String> cookies) {
        String first = cookies.apply(name);
        if (first == null) {
            return null;
        }
        int dot = first.indexOf('.');
        int count;
        try {
            count = dot < 0 ? 0 : Integer.parseInt(first.substring(0, dot));
        } catch (NumberFormatException e) {
            return null;
        }
        if (count < 1 || count > MAX_CHUNKS) {
            return null;
        }
        StringBuilder sealed = new StringBuilder(first.substring(dot + 1));
        for (int i = 2; i <= count; i++) {
            String part = cookies.apply(name + "_" + i);
            if (part == null) {
                return null;
            }
            sealed.append(part);
        }
        return open(sealed.toString());
    }

    /** Set-Cookie values holding {@code session}; null when it would need more than {@link #MAX_CHUNKS} cookies. */
    List<String> write(ObjectNode session, long maxAgeSeconds, boolean https) {
        String attributes = attributes(https);
        String sealed = seal(session);
        int count = (sealed.length() + CHUNK - 1) / CHUNK;
        if (count > MAX_CHUNKS) {
            return null;
        }
        List<String> cookies = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String part = sealed.substring((i - 1) * CHUNK, Math.min(sealed.length(), i * CHUNK));
            cookies.add((i == 1 ? name + "=" + count + "." : name + "_" + i + "=") + part + attributes + "; Max-Age=" + maxAgeSeconds);
        }
        for (int i = count + 1; i <= MAX_CHUNKS; i++) {
            cookies.add(name + "_" + i + "=" + attributes + "; Max-Age=0");
        }
        return cookies;
    }

    /** Set-Cookie values that remove the session. */
    List<String> clear(boolean https) {
        String attributes = attributes(https);
        List<String> cookies = new ArrayList<>();
        cookies.add(name + "=" + attributes + "; Max-Age=0");
        for (int i = 2; i <= MAX_CHUNKS; i++) {
            cookies.add(name + "_" + i + "=" + attributes + "; Max-Age=0");
        }
        return cookies;
    }

    private String attributes(boolean https) {
        return (secure != null ? secure : https) ? attributes + "; Secure" : attributes;
    }

    private String seal(ObjectNode session) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(binding);
            byte[] sealed = cipher.doFinal(JSON.writeValueAsBytes(session));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    private ObjectNode open(String text) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(text);
            if (bytes.length <= IV_BYTES + 16) {
                return null;
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, bytes, 0, IV_BYTES));
            cipher.updateAAD(binding);
            byte[] plain = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
            return JSON.readTree(plain) instanceof ObjectNode object ? object : null;
        } catch (IllegalArgumentException | GeneralSecurityException | IOException alteredOrForeign) {
            return null;
        }
    }
}
