package io.tidegate.plugins.hmacauth;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields of {@code Authorization: Signature keyId="..",algorithm="..",headers="..",signature=".."},
 * read as APISIX reads them: comma-separated {@code name="value"} pairs, other names ignored,
 * {@code headers} split on single spaces.
 */
record SignatureHeader(String keyId, String algorithm, String signature, List<String> headers) {
    private static final Pattern FIELD = Pattern.compile("\\s*(\\w+)=\"(.*?)\"");

    /** Null when the header does not start with {@code Signature}. */
    static SignatureHeader parse(String authorization) {
        if (!authorization.startsWith("Signature")) {
            return null;
        }
        String keyId = null;
        String algorithm = null;
        String signature = null;
        List<String> headers = null;
        for (String field : authorization.substring("Signature".length()).split(",")) {
            Matcher m = FIELD.matcher(field);
            if (!m.find()) {
                continue;
            }
            String value = m.group(2);
            switch (m.group(1)) {
                case "keyId" -> keyId = value;
                case "algorithm" -> algorithm = value;
                case "signature" -> signature = value;
                case "headers" -> headers = List.of(value.split(" "));
                default -> { }
            }
        }
        return new SignatureHeader(keyId, algorithm, signature, headers);
    }
}
