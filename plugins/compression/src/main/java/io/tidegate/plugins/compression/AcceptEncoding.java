package io.tidegate.plugins.compression;

import java.util.List;
import java.util.Locale;

/**
 * Whether a request's {@code Accept-Encoding} takes a coding (RFC 9110 12.5.3): named with a
 * q-value above 0, or covered by {@code *} with one, and not refused by name with {@code q=0}.
 */
final class AcceptEncoding {
    private AcceptEncoding() {}

    static boolean accepts(List<String> headers, String coding) {
        double named = -1;
        double wildcard = -1;
        for (String header : headers) {
            for (String item : header.split(",")) {
                String[] parts = item.split(";");
                String name = parts[0].strip().toLowerCase(Locale.ROOT);
                double q = 1;
                for (int i = 1; i < parts.length; i++) {
                    String parameter = parts[i].strip();
                    if (parameter.length() > 2 && (parameter.startsWith("q=") || parameter.startsWith("Q="))) {
                        try {
                            q = Double.parseDouble(parameter.substring(2));
                        } catch (NumberFormatException bad) {
                            q = 0;
                        }
                    }
                }
                if (name.equals(coding)) {
                    named = Math.max(named, q);
                } else if (name.equals("*")) {
                    wildcard = Math.max(wildcard, q);
                }
            }
        }
        return named >= 0 ? named > 0 : wildcard > 0;
    }
}
