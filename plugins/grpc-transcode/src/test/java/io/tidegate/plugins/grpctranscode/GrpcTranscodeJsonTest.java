package io.tidegate.plugins.grpctranscode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.tidegate.protos.ProtoSourceParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON grpc-transcode reads and writes, as lua-protobuf and lua-cjson under APISIX do. */
class GrpcTranscodeJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Descriptors.Descriptor type(String proto, String name) throws Exception {
        return Descriptors.FileDescriptor.buildFrom(ProtoSourceParser.parse(proto, "t.proto"), new Descriptors.FileDescriptor[0])
                .findMessageTypeByName(name);
    }

    private static String write(DynamicMessage message, String... options) {
        return new String(new MessageToJson(PbOptions.of(List.of(options.length == 0 ? new String[] {"enum_as_name"} : options)))
                .write(message), StandardCharsets.UTF_8);
    }

    @Test
    void numbersArePrintedAsCsPercent14g() {
        assertEquals("3", JsonText.g14(3));
        assertEquals("666", JsonText.g14(666));
        assertEquals("2.2517998136853e+15", JsonText.g14(2251799813685261d));
        assertEquals("0.10000000149012", JsonText.g14(0.1f));
        assertEquals("1e-05", JsonText.g14(0.00001));
        assertEquals("-1.5", JsonText.g14(-1.5));
        assertEquals("1e+20", JsonText.g14(1e20));
    }

    @Test
    void laterOptionsOfAGroupWinInSortedOrder() {
        assertEquals(new PbOptions(false, PbOptions.Int64.STRING, PbOptions.Defaults.AUTO),
                PbOptions.of(List.of("int64_as_string", "enum_as_value", "enum_as_name")), "sorted: enum_as_value comes last");
        assertEquals(new PbOptions(true, PbOptions.Int64.NUMBER, PbOptions.Defaults.AUTO), PbOptions.of(List.of("disable_hooks")));
    }

    @Test
    void proto2LeavesAbsentFieldsOutAndProto3WritesTheirDefaults() throws Exception {
        String proto2 = "syntax = \"proto2\"; message M { optional string s = 1; optional int32 n = 2; repeated int32 r = 3; optional M m = 4; }";
        String proto3 = "syntax = \"proto3\"; message M { string s = 1; int32 n = 2; repeated int32 r = 3; M m = 4; map<string, int64> c = 5;"
                + " oneof o { string a = 6; } }";
        assertEquals("{}", write(DynamicMessage.getDefaultInstance(type(proto2, "M"))));
        assertEquals("{\"s\":\"\",\"n\":0,\"r\":[]}", write(DynamicMessage.getDefaultInstance(type(proto2, "M")), "use_default_values"));
        assertEquals("{\"s\":\"\",\"n\":0,\"r\":[],\"c\":{}}", write(DynamicMessage.getDefaultInstance(type(proto3, "M"))),
                "sub-messages and oneof members stay out");
        assertEquals("{}", write(DynamicMessage.getDefaultInstance(type(proto3, "M")), "no_default_values"));
        assertEquals("{\"r\":[],\"c\":{}}", write(DynamicMessage.getDefaultInstance(type(proto3, "M")), "use_default_metatable"),
                "scalar defaults hidden, proto3 lists and maps still there");
    }

    @Test
    void int64sOutsideTheInt32RangeBecomeLuaProtobufStrings() throws Exception {
        Descriptors.Descriptor type = type("syntax = \"proto3\"; message M { int64 a = 1; uint64 b = 2; sint64 c = 3; }", "M");
        DynamicMessage message = JsonToMessage.build(type, JSON.readTree("{\"a\":\"-5000000000\",\"b\":\"0xFFFFFFFFFFFFFFFF\",\"c\":7}"));
        assertEquals("{\"a\":\"#-5000000000\",\"b\":\"#18446744073709551615\",\"c\":7}", write(message, "int64_as_string"));
        assertEquals("{\"a\":\"#-0x12A05F200\",\"b\":\"#0xFFFFFFFFFFFFFFFF\",\"c\":7}", write(message, "int64_as_hexstring"));
        assertEquals("{\"a\":-5000000000,\"b\":1.844674407371e+19,\"c\":7}", write(message, "int64_as_number"));
    }

    @Test
    void requestValuesTakeLuaProtobufsFormsAndRefuseWhatDoesNotFit() throws Exception {
        Descriptors.Descriptor type = type("syntax = \"proto3\"; enum E { Z = 0; A = 1; } message M { int64 a = 1; int32 b = 2; E e = 3;"
                + " map<string, string> m = 4; bytes d = 5; }", "M");
        for (String good : List.of("1", "-3", "\"#123\"", "\"0xabF\"", "\"#-0x123abcdef\"", "\"-#0x123abcdef\"", "\"123\"")) {
            JsonToMessage.build(type, JSON.readTree("{\"a\":" + good + "}"));
        }
        // a number's text far longer than any 64-bit integer is refused before it is parsed (parse time grows with its square)
        for (String bad : List.of("\"#a\"", "\"+aaa\"", "\"#aaaa\"", "\"#-aa\"", "{}", "\"" + "9".repeat(100_000) + "\"")) {
            assertThrows(JsonToMessage.Unfit.class, () -> JsonToMessage.build(type, JSON.readTree("{\"a\":" + bad + "}")), bad);
        }
        assertEquals("{\"a\":0,\"b\":0,\"e\":\"A\",\"m\":{\"k\":\"v\"},\"d\":\"x\\n\"}",
                write(JsonToMessage.build(type, JSON.readTree("{\"b\":\"not a number\",\"e\":\"A\",\"m\":{\"k\":\"v\"},\"d\":\"x\\n\"}"))),
                "int32 from a string that is no number is left unset, as Lua's tonumber gives nil");
        assertThrows(JsonToMessage.Unfit.class, () -> JsonToMessage.build(type, JSON.readTree("{\"e\":\"B\"}")));
    }
}
