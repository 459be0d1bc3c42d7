package io.tidegate.protos;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.tidegate.protos.ProtoLexer.Token;
import io.tidegate.protos.ProtoLexer.TokenKind;
import io.tidegate.protos.TypeResolver.Kind;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the text of one .proto file (proto2 or proto3) into the {@link FileDescriptorProto} that protoc
 * would emit for it, so that grpc-transcode can accept {@code protos} resources written as source, the
 * way APISIX does, without shelling out to protoc.
 *
 * <p>Only the parts of the language that shape the wire format and JSON mapping are kept: options are
 * parsed and dropped, except the few that change a descriptor (allow_alias, packed, deprecated,
 * json_name, default). Type names are resolved to fully qualified names with protoc's scoping rules.
 * Imports are only recorded: a dotted name not defined here (say {@code pkg.User}) is assumed to come
 * from one and is left for {@code FileDescriptor.buildFrom} to check, while an undefined simple name is
 * an error.
 */
public final class ProtoSourceParser {

    /** A syntax or semantic error; the message starts with "line:column: ". */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;
        private final int column;

        public ParseException(int line, int column, String message) {
            super(line + ":" + column + ": " + message);
            this.line = line;
            this.column = column;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    /** Parses {@code source}; {@code fileName} becomes the descriptor's name, which imports refer to. */
    public static FileDescriptorProto parse(String source, String fileName) throws ParseException {
        ProtoSourceParser parser = new ProtoSourceParser(new ProtoLexer(source).tokenize());
        if (fileName != null) {
            parser.file.setName(fileName);
        }
        return parser.parseFile();
    }

    private static final int MAX_FIELD_NUMBER = 536_870_911;
    private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger UINT32_MAX = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private static final Map<String, Type> SCALARS = Map.ofEntries(
            Map.entry("double", Type.TYPE_DOUBLE), Map.entry("float", Type.TYPE_FLOAT),
            Map.entry("int32", Type.TYPE_INT32), Map.entry("int64", Type.TYPE_INT64),
            Map.entry("uint32", Type.TYPE_UINT32), Map.entry("uint64", Type.TYPE_UINT64),
            Map.entry("sint32", Type.TYPE_SINT32), Map.entry("sint64", Type.TYPE_SINT64),
            Map.entry("fixed32", Type.TYPE_FIXED32), Map.entry("fixed64", Type.TYPE_FIXED64),
            Map.entry("sfixed32", Type.TYPE_SFIXED32), Map.entry("sfixed64", Type.TYPE_SFIXED64),
            Map.entry("bool", Type.TYPE_BOOL), Map.entry("string", Type.TYPE_STRING),
            Map.entry("bytes", Type.TYPE_BYTES));

    // ---------------------------------------------------------------- parser state

    /** Per-message bookkeeping that protoc keeps for its error messages. */
    private static final class MessageScope {
        final DescriptorProto.Builder msg;
        final String fullName;
        final Map<Integer, Token> numbers = new LinkedHashMap<>();
        final Map<String, Token> names = new LinkedHashMap<>();

        MessageScope(DescriptorProto.Builder msg, String fullName) {
            this.msg = msg;
            this.fullName = fullName;
        }
    }

    private final List<Token> tokens;
    private int index;
    private final FileDescriptorProto.Builder file = FileDescriptorProto.newBuilder();
    private boolean proto3;
    private String pkg = "";
    private boolean sawDefinition;
    private final TypeResolver types = new TypeResolver();

    private ProtoSourceParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    // ---------------------------------------------------------------- token helpers

    private Token peek() {
        return tokens.get(index);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(index);
        if (t.kind() != TokenKind.EOF) {
            index++;
        }
        return t;
    }

    /** Strings never match, so a literal "{" cannot be mistaken for the symbol. */
    private static boolean is(Token t, String text) {
        return (t.kind() == TokenKind.IDENT || t.kind() == TokenKind.SYMBOL) && t.text().equals(text);
    }

    private boolean at(String text) {
        return is(peek(), text);
    }

    private boolean tryConsume(String text) {
        if (at(text)) {
            index++;
            return true;
        }
        return false;
    }

    private Token expect(String text) throws ParseException {
        if (!at(text)) {
            throw unexpected("\"" + text + "\"");
        }
        return next();
    }

    private Token identifier(String what) throws ParseException {
        if (peek().kind() != TokenKind.IDENT) {
            throw unexpected(what);
        }
        return next();
    }

    private ParseException unexpected(String expected) {
        return error(peek(), "expected " + expected + " but found " + describe(peek()));
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case EOF -> "end of input";
            case STRING -> t.text();
            default -> "\"" + t.text() + "\"";
        };
    }

    private static ParseException error(Token at, String message) {
        return new ParseException(at.line(), at.col(), message);
    }

    private boolean atEnd() {
        return peek().kind() == TokenKind.EOF;
    }

    /** Reads one or more adjacent string literals, which the language concatenates. */
    private byte[] stringLiteral(String what) throws ParseException {
        if (peek().kind() != TokenKind.STRING) {
            throw unexpected(what);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (peek().kind() == TokenKind.STRING) {
            out.writeBytes(next().value());
        }
        return out.toByteArray();
    }

    private String utf8Literal(String what) throws ParseException {
        return new String(stringLiteral(what), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- file level

    private FileDescriptorProto parseFile() throws ParseException {
        if (at("syntax")) {
            parseSyntax();
        } else if (at("edition")) {
            throw error(peek(), "editions are not supported, use syntax = \"proto2\" or \"proto3\"");
        }
        while (!atEnd()) {
            Token t = peek();
            if (tryConsume(";")) {
                continue;
            }
            switch (t.kind() == TokenKind.IDENT ? t.text() : "") {
                case "package" -> parsePackage();
                case "import" -> parseImport();
                case "option" -> optionStatement();
                case "message" -> {
                    sawDefinition = true;
                    parseMessage(pkg, file.addMessageTypeBuilder());
                }
                case "enum" -> {
                    sawDefinition = true;
                    parseEnum(pkg, file.addEnumTypeBuilder());
                }
                case "service" -> {
                    sawDefinition = true;
                    parseService();
                }
                case "extend" -> skipExtend();
                default -> throw unexpected("top-level statement (e.g. \"message\")");
            }
        }
        types.resolveAll();
        return file.build();
    }

    private void parseSyntax() throws ParseException {
        expect("syntax");
        expect("=");
        Token at = peek();
        String syntax = utf8Literal("syntax string");
        switch (syntax) {
            case "proto2" -> proto3 = false;
            case "proto3" -> proto3 = true;
            default -> throw error(at, "unrecognized syntax identifier \"" + syntax
                    + "\", only \"proto2\" and \"proto3\" are supported");
        }
        expect(";");
        // protoc leaves syntax unset for proto2 in the descriptors it writes.
        if (proto3) {
            file.setSyntax("proto3");
        }
    }

    private void parsePackage() throws ParseException {
        Token keyword = expect("package");
        if (file.hasPackage()) {
            throw error(keyword, "multiple package definitions");
        }
        // Names of earlier definitions were already qualified without the package.
        if (sawDefinition) {
            throw error(keyword, "package must be declared before any message, enum or service");
        }
        String name = dottedName("package name");
        expect(";");
        pkg = name;
        file.setPackage(name);
        types.definePackage(name);
    }

    private void parseImport() throws ParseException {
        expect("import");
        boolean isPublic = tryConsume("public");
        boolean isWeak = !isPublic && tryConsume("weak");
        Token at = peek();
        String path = utf8Literal("import path string");
        expect(";");
        if (file.getDependencyList().contains(path)) {
            throw error(at, "import \"" + path + "\" was listed twice");
        }
        if (isPublic) {
            file.addPublicDependency(file.getDependencyCount());
        } else if (isWeak) {
            file.addWeakDependency(file.getDependencyCount());
        }
        file.addDependency(path);
    }

    private String dottedName(String what) throws ParseException {
        StringBuilder name = new StringBuilder(identifier(what).text());
        while (tryConsume(".")) {
            name.append('.').append(identifier(what).text());
        }
        return name.toString();
    }

    // ---------------------------------------------------------------- options

    /** A parsed option; only simple names (no parentheses) can be options this parser acts on. */
    private record Option(String name, Token valueToken, String value) {}

    private Option optionStatement() throws ParseException {
        expect("option");
        Option option = optionAssignment();
        expect(";");
        return option;
    }

    private Option optionAssignment() throws ParseException {
        String name = optionName();
        expect("=");
        Token valueToken = peek();
        return new Option(name, valueToken, optionValue());
    }

    private String optionName() throws ParseException {
        StringBuilder name = new StringBuilder();
        do {
            if (name.length() > 0) {
                name.append('.');
            }
            if (tryConsume("(")) {
                name.append('(');
                if (tryConsume(".")) {
                    name.append('.');
                }
                name.append(dottedName("option name")).append(')');
                expect(")");
            } else {
                name.append(identifier("option name").text());
            }
        } while (tryConsume("."));
        return name.toString();
    }

    /** Returns the value's text, or null for an aggregate, which no option this parser acts on takes. */
    private String optionValue() throws ParseException {
        if (at("{")) {
            skipBraces();
            return null;
        }
        Token t = peek();
        if (t.kind() == TokenKind.STRING) {
            return utf8Literal("option value");
        }
        String sign = "";
        if (at("-") || at("+")) {
            sign = next().text();
            Token n = peek();
            boolean number = n.kind() == TokenKind.INT || n.kind() == TokenKind.FLOAT
                    || is(n, "inf") || is(n, "nan");
            if (!number) {
                throw unexpected("number");
            }
        }
        if (peek().kind() == TokenKind.IDENT || peek().kind() == TokenKind.INT || peek().kind() == TokenKind.FLOAT) {
            return sign + next().text();
        }
        throw unexpected("option value");
    }

    /** One statement of a block; it consumes what it reads. */
    @FunctionalInterface
    private interface Statement {
        void parse() throws ParseException;
    }

    /** A { ... } block: its statements up to the closing brace, empty ones (";") skipped. */
    private void block(Statement statement) throws ParseException {
        expect("{");
        while (!at("}")) {
            if (atEnd()) {
                throw unexpected("\"}\"");
            }
            if (!tryConsume(";")) {
                statement.parse();
            }
        }
        expect("}");
    }

    /** Skips a balanced { ... } block: text-format option values and extend bodies carry nothing we use. */
    private void skipBraces() throws ParseException {
        expect("{");
        int depth = 1;
        while (depth > 0) {
            if (atEnd()) {
                throw unexpected("\"}\"");
            }
            Token t = next();
            if (is(t, "{")) {
                depth++;
            } else if (is(t, "}")) {
                depth--;
            }
        }
    }

    private static boolean booleanOption(Option option) throws ParseException {
        if ("true".equals(option.value) && option.valueToken.kind() == TokenKind.IDENT) {
            return true;
        }
        if ("false".equals(option.value) && option.valueToken.kind() == TokenKind.IDENT) {
            return false;
        }
        throw error(option.valueToken, "value must be \"true\" or \"false\" for option " + option.name);
    }

    private void skipExtend() throws ParseException {
        expect("extend");
        typeName();
        skipBraces();
    }

    // ---------------------------------------------------------------- messages

    private void parseMessage(String scope, DescriptorProto.Builder msg) throws ParseException {
        expect("message");
        Token nameToken = identifier("message name");
        msg.setName(nameToken.text());
        String fullName = TypeResolver.qualify(scope, nameToken.text());
        types.define(fullName, Kind.MESSAGE, nameToken);
        MessageScope ms = new MessageScope(msg, fullName);
        block(() -> messageStatement(ms));
        checkReserved(ms);
        addSyntheticOneofs(msg);
    }

    private void messageStatement(MessageScope ms) throws ParseException {
        Token t = peek();
        switch (t.kind() == TokenKind.IDENT ? t.text() : "") {
            case "message" -> parseMessage(ms.fullName, ms.msg.addNestedTypeBuilder());
            case "enum" -> parseEnum(ms.fullName, ms.msg.addEnumTypeBuilder());
            case "oneof" -> parseOneof(ms);
            case "option" -> optionStatement();
            case "extensions" -> parseExtensions(ms);
            case "reserved" -> parseMessageReserved(ms);
            case "extend" -> skipExtend();
            default -> parseField(ms, -1);
        }
    }

    private void parseOneof(MessageScope ms) throws ParseException {
        expect("oneof");
        Token nameToken = identifier("oneof name");
        int oneofIndex = ms.msg.getOneofDeclCount();
        ms.msg.addOneofDecl(OneofDescriptorProto.newBuilder().setName(nameToken.text()));
        int fieldsBefore = ms.msg.getFieldCount();
        block(() -> {
            if (at("option")) {
                optionStatement();
            } else {
                parseField(ms, oneofIndex);
            }
        });
        if (ms.msg.getFieldCount() == fieldsBefore) {
            throw error(nameToken, "oneof must have at least one field");
        }
    }

    private void parseField(MessageScope ms, int oneofIndex) throws ParseException {
        Token labelToken = null;
        if (at("optional") || at("required") || at("repeated")) {
            labelToken = next();
            if (oneofIndex >= 0) {
                throw error(labelToken, "fields in oneofs must not have labels (required / optional / repeated)");
            }
        }
        if (at("map") && is(peek(1), "<")) {
            parseMapField(ms, labelToken, oneofIndex);
            return;
        }
        if (at("group")) {
            throw error(peek(), "groups are not supported");
        }

        Token typeToken = peek();
        String typeName = typeName();
        Label label = fieldLabel(labelToken, typeToken, oneofIndex);
        Token nameToken = identifier("field name");
        expect("=");
        Token numberToken = peek();
        int number = fieldNumber();

        FieldDescriptorProto.Builder field = ms.msg.addFieldBuilder()
                .setName(nameToken.text())
                .setNumber(number)
                .setLabel(label);
        if (proto3 && labelToken != null && is(labelToken, "optional")) {
            field.setProto3Optional(true);
        }
        if (oneofIndex >= 0) {
            field.setOneofIndex(oneofIndex);
        }
        setType(field, typeName, typeToken, ms.fullName);
        if (at("[")) {
            fieldOptions(field);
        }
        expect(";");
        if (!field.hasJsonName()) {
            field.setJsonName(ProtocFormat.jsonName(field.getName()));
        }
        claim(ms, nameToken, numberToken, number);
    }

    private Label fieldLabel(Token labelToken, Token typeToken, int oneofIndex) throws ParseException {
        if (labelToken == null) {
            if (proto3 || oneofIndex >= 0) {
                return Label.LABEL_OPTIONAL;
            }
            throw error(typeToken, "expected \"required\", \"optional\", or \"repeated\" but found "
                    + describe(typeToken));
        }
        return switch (labelToken.text()) {
            case "repeated" -> Label.LABEL_REPEATED;
            case "required" -> {
                if (proto3) {
                    throw error(labelToken, "required fields are not allowed in proto3");
                }
                yield Label.LABEL_REQUIRED;
            }
            default -> Label.LABEL_OPTIONAL;
        };
    }

    private void parseMapField(MessageScope ms, Token labelToken, int oneofIndex) throws ParseException {
        Token mapToken = expect("map");
        if (labelToken != null) {
            throw error(labelToken, "field labels (required/optional/repeated) are not allowed on map fields");
        }
        if (oneofIndex >= 0) {
            throw error(mapToken, "map fields are not allowed in oneofs");
        }
        expect("<");
        Token keyToken = peek();
        String keyType = typeName();
        expect(",");
        Token valueToken = peek();
        String valueType = typeName();
        expect(">");
        Token nameToken = identifier("field name");
        expect("=");
        Token numberToken = peek();
        int number = fieldNumber();

        Type key = SCALARS.get(keyType);
        if (key == null || key == Type.TYPE_FLOAT || key == Type.TYPE_DOUBLE || key == Type.TYPE_BYTES) {
            throw error(keyToken, "key in map fields cannot be float/double, bytes or message types");
        }
        // protoc models map<K, V> as a repeated nested message with key = 1 and value = 2.
        String entryName = ProtocFormat.mapEntryName(nameToken.text());
        String entryFullName = ms.fullName + "." + entryName;
        types.define(entryFullName, Kind.MESSAGE, nameToken);
        DescriptorProto.Builder entry = ms.msg.addNestedTypeBuilder().setName(entryName);
        entry.getOptionsBuilder().setMapEntry(true);
        entry.addField(FieldDescriptorProto.newBuilder()
                .setName("key").setNumber(1).setLabel(Label.LABEL_OPTIONAL).setType(key).setJsonName("key"));
        FieldDescriptorProto.Builder value = entry.addFieldBuilder()
                .setName("value").setNumber(2).setLabel(Label.LABEL_OPTIONAL).setJsonName("value");
        setType(value, valueType, valueToken, entryFullName);

        FieldDescriptorProto.Builder field = ms.msg.addFieldBuilder()
                .setName(nameToken.text())
                .setNumber(number)
                .setLabel(Label.LABEL_REPEATED)
                .setType(Type.TYPE_MESSAGE)
                .setTypeName("." + entryFullName);
        if (at("[")) {
            fieldOptions(field);
        }
        expect(";");
        if (!field.hasJsonName()) {
            field.setJsonName(ProtocFormat.jsonName(field.getName()));
        }
        claim(ms, nameToken, numberToken, number);
    }

    /** Records a field's name and number, rejecting either if already used in the same message. */
    private static void claim(MessageScope ms, Token nameToken, Token numberToken, int number)
            throws ParseException {
        Token previous = ms.numbers.putIfAbsent(number, numberToken);
        if (previous != null) {
            // Worded like lua-protobuf, which APISIX uses, so error texts stay familiar.
            throw error(numberToken, "field number '" + number + "' exists, previous at "
                    + previous.line() + ":" + previous.col());
        }
        Token sameName = ms.names.putIfAbsent(nameToken.text(), nameToken);
        if (sameName != null) {
            throw error(nameToken, "field name \"" + nameToken.text() + "\" exists, previous at "
                    + sameName.line() + ":" + sameName.col());
        }
    }

    private void setType(FieldDescriptorProto.Builder field, String typeName, Token at, String scope) {
        Type scalar = SCALARS.get(typeName);
        if (scalar != null) {
            field.setType(scalar);
            return;
        }
        types.refer(typeName, scope, at, false, (fullName, kind) -> {
            field.setTypeName(fullName);
            if (kind == Kind.MESSAGE) {
                field.setType(Type.TYPE_MESSAGE);
            } else if (kind == Kind.ENUM) {
                field.setType(Type.TYPE_ENUM);
            }
            // Otherwise the type lives in an import: buildFrom fills in message or enum from the dependency.
        });
    }

    /** A scalar keyword or a possibly dotted, possibly fully qualified (leading ".") type name. */
    private String typeName() throws ParseException {
        StringBuilder name = new StringBuilder();
        if (tryConsume(".")) {
            name.append('.');
        }
        name.append(identifier("type name").text());
        while (tryConsume(".")) {
            name.append('.').append(identifier("type name").text());
        }
        return name.toString();
    }

    private int fieldNumber() throws ParseException {
        Token t = peek();
        if (t.kind() != TokenKind.INT) {
            throw unexpected("field number");
        }
        next();
        BigInteger n = integerValue(t);
        if (n.signum() <= 0) {
            throw error(t, "field numbers must be positive integers");
        }
        if (n.compareTo(BigInteger.valueOf(MAX_FIELD_NUMBER)) > 0) {
            throw error(t, "field numbers cannot be greater than " + MAX_FIELD_NUMBER);
        }
        int number = n.intValue();
        if (number >= 19_000 && number <= 19_999) {
            throw error(t, "field numbers 19000 through 19999 are reserved for the protocol buffer library");
        }
        return number;
    }

    private void fieldOptions(FieldDescriptorProto.Builder field) throws ParseException {
        expect("[");
        do {
            Token nameToken = peek();
            String name = optionName();
            boolean repeatedName = switch (name) {
                case "default" -> field.hasDefaultValue();
                case "json_name" -> field.hasJsonName();
                default -> false;
            };
            if (repeatedName) {
                throw error(nameToken, "option \"" + name + "\" was already set");
            }
            expect("=");
            if (name.equals("default")) {
                if (proto3) {
                    throw error(nameToken, "explicit default values are not allowed in proto3");
                }
                if (field.getLabel() == Label.LABEL_REPEATED) {
                    throw error(nameToken, "repeated fields can't have default values");
                }
                field.setDefaultValue(defaultValue(field));
            } else if (name.equals("json_name")) {
                field.setJsonName(utf8Literal("string"));
            } else {
                Token valueToken = peek();
                Option option = new Option(name, valueToken, optionValue());
                if (name.equals("packed")) {
                    field.getOptionsBuilder().setPacked(booleanOption(option));
                } else if (name.equals("deprecated")) {
                    field.getOptionsBuilder().setDeprecated(booleanOption(option));
                }
            }
        } while (tryConsume(","));
        expect("]");
    }

    /** Formats a default the way protoc writes it in descriptors, which is what buildFrom parses back. */
    private String defaultValue(FieldDescriptorProto.Builder field) throws ParseException {
        if (!field.hasType()) {
            // A message or enum not resolved yet; buildFrom checks that it names an enum value.
            if (atEnd()) {
                throw unexpected("default value");
            }
            return next().text();
        }
        Token at = peek();
        switch (field.getType()) {
            case TYPE_INT32, TYPE_SINT32, TYPE_SFIXED32:
                return signedDefault(INT32_MAX);
            case TYPE_INT64, TYPE_SINT64, TYPE_SFIXED64:
                return signedDefault(INT64_MAX);
            case TYPE_UINT32, TYPE_FIXED32:
                return unsignedDefault(UINT32_MAX);
            case TYPE_UINT64, TYPE_FIXED64:
                return unsignedDefault(UINT64_MAX);
            case TYPE_FLOAT:
                return ProtocFormat.formatFloat((float) floatDefault());
            case TYPE_DOUBLE:
                return ProtocFormat.formatDouble(floatDefault());
            case TYPE_BOOL:
                if (at("true") || at("false")) {
                    return next().text();
                }
                throw unexpected("\"true\" or \"false\"");
            case TYPE_STRING:
                return utf8Literal("string");
            case TYPE_BYTES:
                return ProtocFormat.cEscape(stringLiteral("string"));
            default:
                throw error(at, "this field type cannot have a default value");
        }
    }

    private String signedDefault(BigInteger max) throws ParseException {
        boolean negative = tryConsume("-");
        Token t = integerToken();
        BigInteger v = integerValue(t);
        // Two's complement has one more negative value than positive.
        BigInteger limit = negative ? max.add(BigInteger.ONE) : max;
        if (v.compareTo(limit) > 0) {
            throw error(t, "integer out of range");
        }
        return (negative ? v.negate() : v).toString();
    }

    private String unsignedDefault(BigInteger max) throws ParseException {
        if (at("-")) {
            throw error(peek(), "unsigned fields can't have negative default values");
        }
        Token t = integerToken();
        BigInteger v = integerValue(t);
        if (v.compareTo(max) > 0) {
            throw error(t, "integer out of range");
        }
        return v.toString();
    }

    private Token integerToken() throws ParseException {
        if (peek().kind() != TokenKind.INT) {
            throw unexpected("integer");
        }
        return next();
    }

    private double floatDefault() throws ParseException {
        boolean negative = tryConsume("-");
        Token t = peek();
        double v;
        if (t.kind() == TokenKind.INT) {
            v = integerValue(t).doubleValue();
        } else if (t.kind() == TokenKind.FLOAT) {
            v = Double.parseDouble(t.text());
        } else if (is(t, "inf")) {
            v = Double.POSITIVE_INFINITY;
        } else if (is(t, "nan")) {
            v = Double.NaN;
        } else {
            throw unexpected("number");
        }
        next();
        return negative ? -v : v;
    }

    private static BigInteger integerValue(Token t) throws ParseException {
        String text = t.text();
        if (text.length() > 1 && (text.charAt(1) | 0x20) == 'x') {
            return new BigInteger(text.substring(2), 16);
        }
        if (text.length() > 1 && text.charAt(0) == '0') {
            for (char c : text.toCharArray()) {
                if (c > '7') {
                    throw error(t, "invalid octal number " + text);
                }
            }
            return new BigInteger(text.substring(1), 8);
        }
        return new BigInteger(text);
    }

    private void parseExtensions(MessageScope ms) throws ParseException {
        expect("extensions");
        do {
            int[] range = range(MAX_FIELD_NUMBER, false);
            ms.msg.addExtensionRangeBuilder().setStart(range[0]).setEnd(range[1] + 1);
        } while (tryConsume(","));
        if (at("[")) {
            // Extension range options (declarations, verification) do not affect parsing messages.
            next();
            do {
                optionAssignment();
            } while (tryConsume(","));
            expect("]");
        }
        expect(";");
    }

    private void parseMessageReserved(MessageScope ms) throws ParseException {
        expect("reserved");
        if (peek().kind() == TokenKind.STRING || peek().kind() == TokenKind.IDENT) {
            reservedNames(ms.msg::addReservedName);
            return;
        }
        do {
            Token at = peek();
            int[] range = range(MAX_FIELD_NUMBER, false);
            if (range[0] <= 0) {
                throw error(at, "field numbers must be positive integers");
            }
            ms.msg.addReservedRangeBuilder().setStart(range[0]).setEnd(range[1] + 1);
        } while (tryConsume(","));
        expect(";");
    }

    private void reservedNames(Consumer<String> sink) throws ParseException {
        do {
            // Editions write reserved names as identifiers, older files as strings; accept both.
            if (peek().kind() == TokenKind.IDENT) {
                sink.accept(next().text());
            } else {
                sink.accept(utf8Literal("reserved name"));
            }
        } while (tryConsume(","));
        expect(";");
    }

    /** Reads "N", "N to M" or "N to max"; returns the inclusive bounds. */
    private int[] range(long max, boolean allowNegative) throws ParseException {
        int start = rangeBound(max, allowNegative);
        int end = start;
        if (tryConsume("to")) {
            end = tryConsume("max") ? (int) max : rangeBound(max, allowNegative);
        }
        if (end < start) {
            throw error(tokens.get(index - 1), "range end must be greater than or equal to its start");
        }
        return new int[] {start, end};
    }

    private int rangeBound(long max, boolean allowNegative) throws ParseException {
        boolean negative = allowNegative && tryConsume("-");
        Token t = integerToken();
        BigInteger v = integerValue(t);
        BigInteger limit = BigInteger.valueOf(negative ? max + 1 : max);
        if (v.compareTo(limit) > 0) {
            throw error(t, "integer out of range");
        }
        return (negative ? v.negate() : v).intValue();
    }

    /** protoc refuses fields that reuse a reserved number or name; so do we, to match it. */
    private static void checkReserved(MessageScope ms) throws ParseException {
        for (Map.Entry<Integer, Token> e : ms.numbers.entrySet()) {
            for (DescriptorProto.ReservedRange r : ms.msg.getReservedRangeList()) {
                if (e.getKey() >= r.getStart() && e.getKey() < r.getEnd()) {
                    throw error(e.getValue(), "field number " + e.getKey() + " is reserved");
                }
            }
        }
        for (Map.Entry<String, Token> e : ms.names.entrySet()) {
            if (ms.msg.getReservedNameList().contains(e.getKey())) {
                throw error(e.getValue(), "field name \"" + e.getKey() + "\" is reserved");
            }
        }
    }

    /**
     * Gives each proto3 optional field a oneof of its own, after the declared oneofs, named as protoc names
     * them; Java's descriptors require the synthetic ones to come last.
     */
    private static void addSyntheticOneofs(DescriptorProto.Builder msg) {
        Set<String> taken = new HashSet<>();
        for (FieldDescriptorProto.Builder f : msg.getFieldBuilderList()) {
            taken.add(f.getName());
        }
        for (OneofDescriptorProto o : msg.getOneofDeclList()) {
            taken.add(o.getName());
        }
        for (FieldDescriptorProto.Builder f : msg.getFieldBuilderList()) {
            if (!f.getProto3Optional()) {
                continue;
            }
            String name = f.getName().startsWith("_") ? f.getName() : "_" + f.getName();
            while (taken.contains(name)) {
                name = "X" + name;
            }
            taken.add(name);
            f.setOneofIndex(msg.getOneofDeclCount());
            msg.addOneofDecl(OneofDescriptorProto.newBuilder().setName(name));
        }
    }

    // ---------------------------------------------------------------- enums

    private void parseEnum(String scope, EnumDescriptorProto.Builder e) throws ParseException {
        expect("enum");
        Token nameToken = identifier("enum name");
        e.setName(nameToken.text());
        types.define(TypeResolver.qualify(scope, nameToken.text()), Kind.ENUM, nameToken);
        expect("{");
        Map<Integer, String> nameByNumber = new HashMap<>();
        Token firstNumber = null;
        // Held back because "option allow_alias" may come after the aliases.
        ParseException alias = null;
        while (!at("}")) {
            if (atEnd()) {
                throw unexpected("\"}\"");
            }
            if (tryConsume(";")) {
                continue;
            }
            if (at("option")) {
                Option option = optionStatement();
                if (option.name.equals("allow_alias")) {
                    e.getOptionsBuilder().setAllowAlias(booleanOption(option));
                }
                continue;
            }
            if (at("reserved")) {
                enumReserved(e);
                continue;
            }
            Token valueName = identifier("enum value name");
            expect("=");
            Token numberToken = peek();
            int number = rangeBound(Integer.MAX_VALUE, true);
            if (at("[")) {
                next();
                do {
                    optionAssignment();
                } while (tryConsume(","));
                expect("]");
            }
            expect(";");
            e.addValue(EnumValueDescriptorProto.newBuilder().setName(valueName.text()).setNumber(number));
            if (firstNumber == null) {
                firstNumber = numberToken;
            }
            String previous = nameByNumber.putIfAbsent(number, valueName.text());
            if (previous != null && alias == null) {
                alias = error(valueName, "\"" + valueName.text() + "\" uses the same enum value as \"" + previous
                        + "\"; set 'option allow_alias = true;' to the enum definition if this is intended");
            }
        }
        expect("}");
        if (e.getValueCount() == 0) {
            throw error(nameToken, "enums must contain at least one value");
        }
        if (proto3 && e.getValue(0).getNumber() != 0) {
            throw error(firstNumber, "the first enum value must be zero in proto3");
        }
        if (alias != null && !e.getOptions().getAllowAlias()) {
            throw alias;
        }
    }

    private void enumReserved(EnumDescriptorProto.Builder e) throws ParseException {
        expect("reserved");
        if (peek().kind() == TokenKind.STRING || peek().kind() == TokenKind.IDENT) {
            reservedNames(e::addReservedName);
            return;
        }
        do {
            // Unlike message ranges, enum reserved ranges are inclusive and may be negative.
            int[] range = range(Integer.MAX_VALUE, true);
            e.addReservedRangeBuilder().setStart(range[0]).setEnd(range[1]);
        } while (tryConsume(","));
        expect(";");
    }

    // ---------------------------------------------------------------- services

    private void parseService() throws ParseException {
        expect("service");
        Token nameToken = identifier("service name");
        String fullName = TypeResolver.qualify(pkg, nameToken.text());
        types.define(fullName, Kind.SERVICE, nameToken);
        ServiceDescriptorProto.Builder service = file.addServiceBuilder().setName(nameToken.text());
        block(() -> {
            if (at("option")) {
                optionStatement();
            } else if (at("rpc")) {
                parseRpc(service, fullName);
            } else {
                throw unexpected("\"rpc\"");
            }
        });
    }

    private void parseRpc(ServiceDescriptorProto.Builder service, String serviceName) throws ParseException {
        expect("rpc");
        Token nameToken = identifier("method name");
        MethodDescriptorProto.Builder method = service.addMethodBuilder().setName(nameToken.text());

        expect("(");
        if (streamKeyword()) {
            method.setClientStreaming(true);
        }
        Token inputToken = peek();
        String input = messageTypeName();
        expect(")");
        expect("returns");
        expect("(");
        if (streamKeyword()) {
            method.setServerStreaming(true);
        }
        Token outputToken = peek();
        String output = messageTypeName();
        expect(")");

        types.refer(input, serviceName, inputToken, true, (n, k) -> method.setInputType(n));
        types.refer(output, serviceName, outputToken, true, (n, k) -> method.setOutputType(n));

        if (at("{")) {
            block(this::optionStatement);
        } else {
            expect(";");
        }
    }

    /** "stream" is a keyword unless it is the whole type name, so a message called stream still works. */
    private boolean streamKeyword() {
        if (at("stream") && !is(peek(1), ")")) {
            next();
            return true;
        }
        return false;
    }

    private String messageTypeName() throws ParseException {
        Token at = peek();
        String name = typeName();
        if (SCALARS.containsKey(name)) {
            throw error(at, "expected message type but found \"" + name + "\"");
        }
        return name;
    }
}
