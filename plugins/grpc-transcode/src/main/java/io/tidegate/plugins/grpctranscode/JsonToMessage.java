package io.tidegate.plugins.grpctranscode;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A request's values (a JSON object, or query or form arguments as strings) as a message of the
 * method's input type, by the proto's field names, as APISIX's grpc-transcode maps them: unknown
 * keys are ignored; enums take their number or name; integers also come as strings (decimal,
 * {@code 0x} hex, lua-protobuf's {@code #} prefix); a repeated field takes an array (or, from a
 * query, one value); a map field takes an object. Anything else that does not fit the field's
 * type is refused ({@link Unfit}), which the plugin answers 400.
 */
final class JsonToMessage {
    /** "-#0x" and 20 digits are the longest a 64-bit integer's text gets; leading zeros aside. */
    private static final int MAX_INTEGER_TEXT = 40;

    private JsonToMessage() {}

    /** A value that does not fit its field. */
    static final class Unfit extends Exception {
        Unfit(String message) {
            super(message);
        }
    }

    static DynamicMessage build(Descriptor type, JsonNode values) throws Unfit {
        if (!values.isObject()) {
            throw new Unfit(type.getFullName() + " needs an object");
        }
        DynamicMessage.Builder message = DynamicMessage.newBuilder(type);
        for (FieldDescriptor field : type.getFields()) {
            JsonNode value = values.get(field.getName());
            if (value == null || value.isNull()) {
                continue;
            }
            if (field.isMapField()) {
                map(message, field, value);
            } else if (field.isRepeated()) {
                for (JsonNode item : value.isArray() ? value : java.util.List.of(value)) {
                    Object converted = single(field, item);
                    if (converted != null) {
                        message.addRepeatedField(field, converted);
                    }
                }
            } else {
                Object converted = single(field, value);
                if (converted != null) {
                    message.setField(field, converted);
                }
            }
        }
        return message.build();
    }

    private static void map(DynamicMessage.Builder message, FieldDescriptor field, JsonNode value) throws Unfit {
        if (!value.isObject()) {
            throw new Unfit(field.getName() + " needs an object");
        }
        Descriptor entry = field.getMessageType();
        FieldDescriptor keyField = entry.findFieldByNumber(1);
        FieldDescriptor valueField = entry.findFieldByNumber(2);
        Iterator<Map.Entry<String, JsonNode>> entries = value.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> pair = entries.next();
            Object key = single(keyField, new com.fasterxml.jackson.databind.node.TextNode(pair.getKey()));
            Object converted = single(valueField, pair.getValue());
            if (key == null || converted == null) {
                throw new Unfit(field.getName() + " has an entry that does not fit");
            }
            message.addRepeatedField(field, DynamicMessage.newBuilder(entry).setField(keyField, key).setField(valueField, converted).build());
        }
    }

    /** One value for {@code field}; null leaves the field unset (lua-protobuf's tonumber of a non-number, for int32). */
    private static Object single(FieldDescriptor field, JsonNode value) throws Unfit {
        switch (field.getJavaType()) {
            case MESSAGE:
                return build(field.getMessageType(), value);
            case ENUM:
                return enumValue(field, value);
            case STRING:
                if (value.isTextual()) {
                    return value.textValue();
                }
                if (value.isNumber()) {
                    return value.asText();
                }
                throw unfit(field, value);
            case BYTE_STRING:
                if (value.isTextual()) {
                    return ByteString.copyFrom(value.textValue(), StandardCharsets.UTF_8);
                }
                throw unfit(field, value);
            case BOOLEAN:
                if (value.isBoolean()) {
                    return value.booleanValue();
                }
                if (value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
                    return Boolean.parseBoolean(value.textValue());
                }
                throw unfit(field, value);
            case FLOAT:
                return (float) decimal(field, value);
            case DOUBLE:
                return decimal(field, value);
            case INT:
                if (value.isTextual() && field.getType() == FieldDescriptor.Type.INT32) {
                    try {
                        return (int) Double.parseDouble(value.textValue().trim());  // Lua's tonumber
                    } catch (NumberFormatException notANumber) {
                        return null;
                    }
                }
                return (int) integer(field, value);
            case LONG:
                return integer(field, value);
            default:
                throw unfit(field, value);
        }
    }

    private static EnumValueDescriptor enumValue(FieldDescriptor field, JsonNode value) throws Unfit {
        if (value.isIntegralNumber()) {
            return field.getEnumType().findValueByNumberCreatingIfUnknown(value.intValue());
        }
        if (value.isTextual()) {
            EnumValueDescriptor named = field.getEnumType().findValueByName(value.textValue());
            if (named != null) {
                return named;
            }
        }
        throw unfit(field, value);
    }

    private static double decimal(FieldDescriptor field, JsonNode value) throws Unfit {
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isTextual()) {
            try {
                return Double.parseDouble(value.textValue().trim());
            } catch (NumberFormatException e) {
                throw unfit(field, value);
            }
        }
        throw unfit(field, value);
    }

    /** An integer as a number, or a string: decimal, 0x hex, with an optional '#' and '-' (lua-protobuf's forms). */
    private static long integer(FieldDescriptor field, JsonNode value) throws Unfit {
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().longValue();
        }
        if (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue())) {
            return (long) value.doubleValue();
        }
        if (!value.isTextual()) {
            throw unfit(field, value);
        }
        String text = value.textValue().trim();
        if (text.length() > MAX_INTEGER_TEXT) {
            throw unfit(field, value);  // no 64-bit integer is that long; BigInteger's parse grows with its square
        }
        boolean negative = false;
        if (text.startsWith("-")) {
            negative = true;
            text = text.substring(1);
        }
        if (text.startsWith("#")) {
            text = text.substring(1);
            if (!negative && text.startsWith("-")) {
                negative = true;
                text = text.substring(1);
            }
        }
        try {
            BigInteger number = text.startsWith("0x") || text.startsWith("0X") ? new BigInteger(text.substring(2), 16)
                    : new BigInteger(text, 10);
            if (text.isEmpty() || text.startsWith("+")) {
                throw unfit(field, value);
            }
            return (negative ? number.negate() : number).longValue();
        } catch (NumberFormatException e) {
            throw unfit(field, value);
        }
    }

    private static Unfit unfit(FieldDescriptor field, JsonNode value) {
        String text = value.toString();
        return new Unfit(field.getFullName() + " cannot take " + (text.length() > 100 ? text.substring(0, 100) + "..." : text));
    }
}
