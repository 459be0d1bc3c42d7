package io.tidegate.plugins.grpctranscode;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import java.util.List;

/**
 * A decoded message as APISIX's grpc-transcode writes it: keys are the proto's field names, map
 * fields are objects, well-known types are plain messages (not proto3's JSON mapping), enums and
 * 64-bit integers and absent fields as {@link PbOptions} says. Fields are written in the order the
 * message declares them.
 */
final class MessageToJson {
    private static final long INT32_MIN = Integer.MIN_VALUE;
    private static final long UINT32_MAX = 0xffff_ffffL;

    private final PbOptions options;

    MessageToJson(PbOptions options) {
        this.options = options;
    }

    byte[] write(Message message) {
        JsonText out = new JsonText();
        message(message, out);
        return out.bytes();
    }

    void message(Message message, JsonText out) {
        Descriptor type = message.getDescriptorForType();
        boolean defaults = withDefaults(type);
        out.raw("{");
        boolean first = true;
        for (FieldDescriptor field : type.getFields()) {
            boolean present = field.isRepeated() ? message.getRepeatedFieldCount(field) > 0 : message.hasField(field);
            if (!present && !shownAbsent(field, defaults)) {
                continue;
            }
            if (!first) {
                out.raw(",");
            }
            first = false;
            out.string(field.getName()).raw(":");
            if (field.isMapField()) {
                map(message, field, out);
            } else if (field.isRepeated()) {
                out.raw("[");
                for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
                    if (i > 0) {
                        out.raw(",");
                    }
                    value(field, message.getRepeatedField(field, i), out);
                }
                out.raw("]");
            } else {
                value(field, message.getField(field), out);
            }
        }
        out.raw("}");
    }

    /** Whether absent fields of messages of this type are written with their default values. */
    private boolean withDefaults(Descriptor type) {
        return switch (options.defaults()) {
            case USE -> true;
            case NONE -> false;
            case METATABLE -> false;
            case AUTO -> type.getFile().getSyntax() == FileDescriptor.Syntax.PROTO3;
        };
    }

    /**
     * An absent field still written: with default values, a scalar or enum outside a oneof and
     * any repeated field (an empty list or map); proto3 repeated fields are lists even when scalar
     * defaults are hidden (use_default_metatable). Absent sub-messages never are.
     */
    private boolean shownAbsent(FieldDescriptor field, boolean defaults) {
        if (field.isRepeated()) {
            return defaults || options.defaults() == PbOptions.Defaults.METATABLE
                    && field.getFile().getSyntax() == FileDescriptor.Syntax.PROTO3;
        }
        return defaults && field.getJavaType() != FieldDescriptor.JavaType.MESSAGE && field.getContainingOneof() == null;
    }

    private void map(Message message, FieldDescriptor field, JsonText out) {
        Descriptor entry = field.getMessageType();
        FieldDescriptor key = entry.findFieldByNumber(1);
        FieldDescriptor value = entry.findFieldByNumber(2);
        out.raw("{");
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            Message pair = (Message) message.getRepeatedField(field, i);
            if (i > 0) {
                out.raw(",");
            }
            out.string(String.valueOf(keyText(key, pair.getField(key)))).raw(":");
            value(value, pair.getField(value), out);
        }
        out.raw("}");
    }

    private static Object keyText(FieldDescriptor key, Object value) {
        if (key.getType() == FieldDescriptor.Type.UINT64 || key.getType() == FieldDescriptor.Type.FIXED64) {
            return Long.toUnsignedString((Long) value);
        }
        if (key.getType() == FieldDescriptor.Type.UINT32 || key.getType() == FieldDescriptor.Type.FIXED32) {
            return Integer.toUnsignedString((Integer) value);
        }
        return value;
    }

    private void value(FieldDescriptor field, Object value, JsonText out) {
        switch (field.getJavaType()) {
            case MESSAGE -> message((Message) value, out);
            case ENUM -> {
                EnumValueDescriptor constant = (EnumValueDescriptor) value;
                boolean known = constant.getIndex() >= 0 && constant.getType().findValueByNumber(constant.getNumber()) != null
                        && !constant.getName().startsWith("UNKNOWN_ENUM_VALUE_");
                if (options.enumAsName() && known) {
                    out.string(constant.getName());
                } else {
                    out.number(constant.getNumber());
                }
            }
            case STRING -> out.string((String) value);
            case BYTE_STRING -> out.string(((ByteString) value).toByteArray());
            case BOOLEAN -> out.raw((Boolean) value ? "true" : "false");
            case FLOAT -> out.number((Float) value);
            case DOUBLE -> out.number((Double) value);
            case INT -> integer(field, unsigned32(field) ? Integer.toUnsignedLong((Integer) value) : (Integer) value, false, out);
            case LONG -> integer(field, (Long) value, unsigned64(field), out);
        }
    }

    /** An integer: a JSON number, or with int64_as_string/_hexstring, "#..." when outside [-2^31, 2^32-1]. */
    private void integer(FieldDescriptor field, long value, boolean unsigned, JsonText out) {
        boolean negativeUnsigned = unsigned && value < 0;  // an unsigned value of 2^63 or more
        boolean inRange = !negativeUnsigned && value >= INT32_MIN && value <= UINT32_MAX;
        if (options.int64() == PbOptions.Int64.NUMBER || inRange) {
            out.number(negativeUnsigned ? unsignedAsDouble(value) : value);
            return;
        }
        String magnitude;
        boolean negative = !unsigned && value < 0;
        if (options.int64() == PbOptions.Int64.STRING) {
            magnitude = unsigned ? Long.toUnsignedString(value) : Long.toString(Math.abs(value)).replace("-", "");
            out.string("#" + (negative ? "-" : "") + magnitude);
        } else {
            magnitude = unsigned ? Long.toHexString(value) : Long.toHexString(negative ? -value : value);
            out.string("#" + (negative ? "-" : "") + "0x" + magnitude.toUpperCase());
        }
    }

    private static double unsignedAsDouble(long value) {
        return (double) (value >>> 1) * 2.0 + (value & 1);
    }

    private static boolean unsigned32(FieldDescriptor field) {
        return field.getType() == FieldDescriptor.Type.UINT32 || field.getType() == FieldDescriptor.Type.FIXED32;
    }

    private static boolean unsigned64(FieldDescriptor field) {
        return field.getType() == FieldDescriptor.Type.UINT64 || field.getType() == FieldDescriptor.Type.FIXED64;
    }

    /** Writes each message of {@code list} (already decoded) in a JSON array. */
    void list(List<? extends Message> messages, JsonText out) {
        out.raw("[");
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out.raw(",");
            }
            message(messages.get(i), out);
        }
        out.raw("]");
    }

    static DynamicMessage decode(Descriptor type, byte[] bytes) throws com.google.protobuf.InvalidProtocolBufferException {
        return DynamicMessage.parseFrom(type, bytes);
    }
}
