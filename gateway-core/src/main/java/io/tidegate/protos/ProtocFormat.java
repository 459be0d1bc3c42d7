package io.tidegate.protos;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** The names and default-value texts protoc derives, spelled exactly as protoc spells them in descriptors. */
final class ProtocFormat {

    private ProtocFormat() {}

    /** foo_bar_baz -> fooBarBaz; protoc leaves the first letter alone. */
    static String jsonName(String fieldName) {
        StringBuilder out = new StringBuilder(fieldName.length());
        boolean upperNext = false;
        for (char c : fieldName.toCharArray()) {
            if (c == '_') {
                upperNext = true;
            } else {
                out.append(upperNext ? Character.toUpperCase(c) : c);
                upperNext = false;
            }
        }
        return out.toString();
    }

    /** foo_bar -> FooBarEntry, the nested message protoc generates for a map field. */
    static String mapEntryName(String fieldName) {
        StringBuilder out = new StringBuilder(fieldName.length() + 5);
        boolean upperNext = true;
        for (char c : fieldName.toCharArray()) {
            if (c == '_') {
                upperNext = true;
            } else {
                out.append(upperNext && c >= 'a' && c <= 'z' ? (char) (c - 'a' + 'A') : c);
                upperNext = false;
            }
        }
        return out.append("Entry").toString();
    }

    /** protoc prints doubles with %.15g, or %.17g when 15 digits do not survive a round trip. */
    static String formatDouble(double v) {
        String s = formatG(v, 15);
        if (Double.isFinite(v) && Double.parseDouble(s) != v) {
            s = formatG(v, 17);
        }
        return s;
    }

    /**
     * Floats likewise with %.6g, or %.9g. protoc's round-trip check fails for every subnormal value (strtof
     * reports underflow), so those always get 9 digits.
     */
    static String formatFloat(float v) {
        String s = formatG(v, 6);
        boolean subnormal = v != 0 && Math.abs(v) < Float.MIN_NORMAL;
        if (Float.isFinite(v) && (subnormal || Float.parseFloat(s) != v)) {
            s = formatG(v, 9);
        }
        return s;
    }

    /** C's %.{precision}g, which Java's %g does not match (it keeps trailing zeros). */
    private static String formatG(double v, int precision) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN))
                .stripTrailingZeros();
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < precision) {
            return rounded.toPlainString();
        }
        String digits = rounded.unscaledValue().abs().toString();
        StringBuilder out = new StringBuilder();
        if (rounded.signum() < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            out.append('0');
        }
        return out.append(abs).toString();
    }

    /** Bytes defaults are stored C-escaped, as protoc does and as TextFormat.unescapeBytes reads them. */
    static String cEscape(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\'' -> out.append("\\'");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
                                .append((char) ('0' + (c & 7)));
                    } else {
                        out.append((char) c);
                    }
                }
            }
        }
        return out.toString();
    }
}
