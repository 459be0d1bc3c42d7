package io.tidegate.plugins.grpctranscode;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * JSON written as APISIX's transcoding writes it (lua-cjson as APISIX sets it up): numbers as C's
 * {@code %.14g}, strings with {@code "}, {@code \}, {@code \b \f \n \r \t} and other control
 * bytes escaped, {@code /} and bytes from 0x80 left as they are (a {@code bytes} field is written
 * raw, so the output is bytes, not text).
 */
final class JsonText {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    JsonText raw(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    JsonText string(String text) {
        return string(text.getBytes(StandardCharsets.UTF_8));
    }

    JsonText string(byte[] bytes) {
        out.write('"');
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '"' -> raw("\\\"");
                case '\\' -> raw("\\\\");
                case '\b' -> raw("\\b");
                case '\f' -> raw("\\f");
                case '\n' -> raw("\\n");
                case '\r' -> raw("\\r");
                case '\t' -> raw("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        raw(String.format("\\u%04x", c));
                    } else {
                        out.write(c);
                    }
                }
            }
        }
        out.write('"');
        return this;
    }

    JsonText number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("cannot write " + value + " as JSON");
        }
        return raw(g14(value));
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** C's {@code printf("%.14g", value)}. */
    static String g14(double value) {
        if (value == 0) {
            return (1 / value < 0) ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(14, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 14) {
            BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
            String digits = mantissa.toPlainString();
            String sign = exponent < 0 ? "-" : "+";
            int abs = Math.abs(exponent);
            return digits + "e" + sign + (abs < 10 ? "0" + abs : Integer.toString(abs));
        }
        String plain = rounded.stripTrailingZeros().toPlainString();
        return plain;
    }
}
