package io.tidegate.protos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.StructProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoSourceParserTest {

    /** APISIX's t/grpc_server_example/proto/helloworld.proto, less its license header. */
    private static final String HELLOWORLD = """
            //
            // helloworld.proto as APISIX's grpc-transcode tests use it.
            //

            syntax = "proto3";

            package helloworld;
            option go_package = "./proto";

            service Greeter {
              // Unary RPC.
              rpc SayHello (HelloRequest) returns (HelloReply) {}
              rpc GetErrResp (HelloRequest) returns (HelloReply) {}
              rpc Plus (PlusRequest) returns (PlusReply) {}
              rpc SayHelloAfterDelay (HelloRequest) returns (HelloReply) {}
              rpc SayMultipleHello(MultipleHelloRequest) returns (MultipleHelloReply) {}

              // Server side streaming.
              rpc SayHelloServerStream (HelloRequest) returns (stream HelloReply) {}

              // Client side streaming.
              rpc SayHelloClientStream (stream HelloRequest) returns (HelloReply) {}

              // Bidirectional streaming.
              rpc SayHelloBidirectionalStream (stream HelloRequest) returns (stream HelloReply) {}

            }

            enum Gender {
                GENDER_UNKNOWN = 0;
                GENDER_MALE = 1;
                GENDER_FEMALE = 2;
            }

            message Person {
                string name = 1;
                int32 age = 2;
            }

            message HelloRequest {
              string name = 1;
              repeated string items = 2;
              Gender gender = 3;
              Person person = 4;
            }

            message HelloReply {
              string message = 1;
              repeated string items = 2;
              Gender gender = 3;
            }

            message PlusRequest {
              int64 a = 1;
              int64 b = 2;
            }

            message PlusReply {
              int64 result = 1;
            }

            message MultipleHelloRequest {
              string name = 1;
              repeated string items = 2;
              repeated Gender genders = 3;
              repeated Person persons = 4;
            }

            message MultipleHelloReply{
              string message = 1;
              repeated string items = 2;
              repeated Gender genders = 3;
            }

            message ErrorDetail {
                int64 code = 1;
                string message = 2;
                string type = 3;
            }
            """;

    private static FileDescriptor build(String source, String name, FileDescriptor... deps)
            throws Exception {
        return FileDescriptor.buildFrom(ProtoSourceParser.parse(source, name), deps);
    }

    private static void assertField(Descriptor msg, String name, int number, Type type,
                                    FieldDescriptorProto.Label label) {
        FieldDescriptor f = msg.findFieldByName(name);
        assertEquals(number, f.getNumber(), name);
        assertEquals(type, f.getType(), name);
        assertEquals(label, f.toProto().getLabel(), name);
    }

    private static final FieldDescriptorProto.Label OPTIONAL = FieldDescriptorProto.Label.LABEL_OPTIONAL;
    private static final FieldDescriptorProto.Label REQUIRED = FieldDescriptorProto.Label.LABEL_REQUIRED;
    private static final FieldDescriptorProto.Label REPEATED = FieldDescriptorProto.Label.LABEL_REPEATED;

    // ------------------------------------------------------------ (1) APISIX's protos

    @Test
    void parsesApisixHelloworld() throws Exception {
        FileDescriptorProto proto = ProtoSourceParser.parse(HELLOWORLD, "helloworld.proto");
        assertEquals("helloworld.proto", proto.getName());
        assertEquals("proto3", proto.getSyntax());
        assertEquals(0, proto.getDependencyCount());
        FileDescriptor fd = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
        assertEquals("helloworld", fd.getPackage());

        ServiceDescriptor greeter = fd.findServiceByName("Greeter");
        assertEquals(List.of("SayHello", "GetErrResp", "Plus", "SayHelloAfterDelay", "SayMultipleHello",
                        "SayHelloServerStream", "SayHelloClientStream", "SayHelloBidirectionalStream"),
                greeter.getMethods().stream().map(MethodDescriptor::getName).toList());
        MethodDescriptor sayHello = greeter.findMethodByName("SayHello");
        assertEquals("helloworld.HelloRequest", sayHello.getInputType().getFullName());
        assertEquals("helloworld.HelloReply", sayHello.getOutputType().getFullName());
        assertFalse(sayHello.isClientStreaming());
        assertFalse(sayHello.isServerStreaming());
        assertEquals("helloworld.PlusReply",
                greeter.findMethodByName("Plus").getOutputType().getFullName());
        assertStreaming(greeter, "SayHelloServerStream", false, true);
        assertStreaming(greeter, "SayHelloClientStream", true, false);
        assertStreaming(greeter, "SayHelloBidirectionalStream", true, true);

        EnumDescriptor gender = fd.findEnumTypeByName("Gender");
        assertEquals(2, gender.findValueByName("GENDER_FEMALE").getNumber());

        Descriptor request = fd.findMessageTypeByName("HelloRequest");
        assertField(request, "name", 1, Type.STRING, OPTIONAL);
        assertField(request, "items", 2, Type.STRING, REPEATED);
        assertField(request, "gender", 3, Type.ENUM, OPTIONAL);
        assertField(request, "person", 4, Type.MESSAGE, OPTIONAL);
        assertSame(gender, request.findFieldByName("gender").getEnumType());
        assertSame(fd.findMessageTypeByName("Person"), request.findFieldByName("person").getMessageType());
        assertFalse(request.findFieldByName("name").hasPresence(), "proto3 implicit presence");

        Descriptor multiple = fd.findMessageTypeByName("MultipleHelloRequest");
        assertField(multiple, "genders", 3, Type.ENUM, REPEATED);
        assertField(multiple, "persons", 4, Type.MESSAGE, REPEATED);
        assertField(fd.findMessageTypeByName("PlusRequest"), "b", 2, Type.INT64, OPTIONAL);
        assertField(fd.findMessageTypeByName("ErrorDetail"), "type", 3, Type.STRING, OPTIONAL);

        // Fully qualified references and json_name, as protoc writes them.
        FieldDescriptorProto genderProto = proto.getMessageType(2).getField(2);
        assertEquals(".helloworld.Gender", genderProto.getTypeName());
        assertEquals(FieldDescriptorProto.Type.TYPE_ENUM, genderProto.getType());
        assertEquals("gender", genderProto.getJsonName());
        assertEquals(".helloworld.HelloRequest", proto.getService(0).getMethod(0).getInputType());
    }

    private static void assertStreaming(ServiceDescriptor service, String method, boolean client, boolean server) {
        MethodDescriptor m = service.findMethodByName(method);
        assertEquals(client, m.isClientStreaming(), method + " client streaming");
        assertEquals(server, m.isServerStreaming(), method + " server streaming");
    }

    @Test
    void recordsImportsAndQualifiesImportedTypes() throws Exception {
        // APISIX's import.proto and src.proto: src uses pkg.User and pkg.Response from the import.
        FileDescriptor imported = build("""
                syntax = "proto3";
                package pkg;
                option go_package = "./proto";
                message User { string name = 1; }
                message Response { string body = 1; }
                """, "proto/import.proto");
        FileDescriptorProto src = ProtoSourceParser.parse("""
                syntax = "proto3";
                package helloworld;
                option go_package = "./proto";
                import "proto/import.proto";
                service TestImport {
                  rpc Run (Request) returns (pkg.Response) {}
                }
                message Request {
                  pkg.User user = 1;
                  string body = 2;
                }
                """, "src.proto");
        assertEquals(List.of("proto/import.proto"), src.getDependencyList());
        assertEquals(".pkg.User", src.getMessageType(0).getField(0).getTypeName());
        assertEquals(".pkg.Response", src.getService(0).getMethod(0).getOutputType());

        FileDescriptor fd = FileDescriptor.buildFrom(src, new FileDescriptor[] {imported});
        MethodDescriptor run = fd.findServiceByName("TestImport").findMethodByName("Run");
        assertEquals("helloworld.Request", run.getInputType().getFullName());
        assertEquals("pkg.Response", run.getOutputType().getFullName());
        assertEquals("pkg.User",
                fd.findMessageTypeByName("Request").findFieldByName("user").getMessageType().getFullName());

        // APISIX's echo.proto imports a well-known type.
        FileDescriptor echo = build("""
                syntax = "proto3";
                package echo;
                import "google/protobuf/struct.proto";
                service Echo { rpc EchoStruct (StructRequest) returns (StructReply) {} }
                message StructRequest { google.protobuf.Struct data = 1; }
                message StructReply { google.protobuf.Struct data = 1; }
                """, "echo.proto", StructProto.getDescriptor());
        assertSame(com.google.protobuf.Struct.getDescriptor(),
                echo.findMessageTypeByName("StructRequest").findFieldByName("data").getMessageType());
    }

    // ------------------------------------------------------------ (2) proto2

    @Test
    void proto2RequiredOptionalDefaultsAndNestedEnums() throws Exception {
        FileDescriptorProto proto = ProtoSourceParser.parse("""
                syntax = "proto2";
                package shop.v1;

                message Order {
                  required int64 id = 1;
                  optional string note = 2 [default = "n/a"];
                  optional int32 quantity = 3 [default = -1];
                  optional uint32 flags = 4 [default = 0x10];
                  optional double price = 5 [default = 1e20];
                  optional float ratio = 6 [default = 0.5];
                  optional bool gift = 7 [default = true];
                  optional bytes tag = 8 [default = "\\001a\\""];
                  optional Status status = 9 [default = SHIPPED];
                  repeated Line lines = 10;
                  optional Line.Kind first_kind = 11 [default = DIGITAL];

                  enum Status { PENDING = 0; SHIPPED = 1; CANCELLED = -1; }

                  message Line {
                    enum Kind { option allow_alias = true; PHYSICAL = 1; DIGITAL = 2; VIRTUAL = 2; }
                    required string sku = 1;
                    optional Kind kind = 2;
                    optional Status status = 3;  // Order.Status, found by searching outward
                  }
                  reserved 20 to 30;
                  extensions 100 to max;
                }
                """, "order.proto");
        assertFalse(proto.hasSyntax(), "protoc leaves proto2 syntax unset");
        List<String> defaults = proto.getMessageType(0).getFieldList().stream()
                .map(FieldDescriptorProto::getDefaultValue).toList();
        assertEquals(List.of("", "n/a", "-1", "16", "1e+20", "0.5", "true", "\\001a\\\"", "SHIPPED", "", "DIGITAL"),
                defaults, "default_value as protoc formats it");

        FileDescriptor fd = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
        Descriptor order = fd.findMessageTypeByName("Order");
        assertField(order, "id", 1, Type.INT64, REQUIRED);
        assertField(order, "note", 2, Type.STRING, OPTIONAL);
        assertField(order, "lines", 10, Type.MESSAGE, REPEATED);
        assertTrue(order.findFieldByName("note").hasPresence());
        assertEquals("n/a", order.findFieldByName("note").getDefaultValue());
        assertEquals(-1, order.findFieldByName("quantity").getDefaultValue());
        assertEquals(16, order.findFieldByName("flags").getDefaultValue());
        assertEquals(1e20, order.findFieldByName("price").getDefaultValue());
        assertEquals(0.5f, order.findFieldByName("ratio").getDefaultValue());
        assertEquals(true, order.findFieldByName("gift").getDefaultValue());
        assertEquals(ByteString.copyFrom(new byte[] {1, 'a', '"'}), order.findFieldByName("tag").getDefaultValue());

        EnumDescriptor status = order.findEnumTypeByName("Status");
        assertEquals(-1, status.findValueByName("CANCELLED").getNumber());
        assertSame(status.findValueByName("SHIPPED"), order.findFieldByName("status").getDefaultValue());

        Descriptor line = order.findNestedTypeByName("Line");
        EnumDescriptor kind = line.findEnumTypeByName("Kind");
        assertEquals("shop.v1.Order.Line.Kind", kind.getFullName());
        assertTrue(kind.getOptions().getAllowAlias());
        assertEquals("DIGITAL", kind.findValueByNumber(2).getName());
        assertSame(kind, order.findFieldByName("first_kind").getEnumType());
        assertEquals("firstKind", order.findFieldByName("first_kind").getJsonName());
        assertSame(kind.findValueByName("DIGITAL"), order.findFieldByName("first_kind").getDefaultValue());
        assertField(line, "sku", 1, Type.STRING, REQUIRED);
        assertSame(kind, line.findFieldByName("kind").getEnumType());
        assertSame(status, line.findFieldByName("status").getEnumType());
        assertTrue(order.isExtensionNumber(536_870_911));
        assertTrue(order.isReservedNumber(25));
    }

    // ------------------------------------------------------------ (3) maps, oneofs, proto3 optional

    @Test
    void mapsOneofsAndProto3Optional() throws Exception {
        // Inner/members as in APISIX's grpc-transcode4.t.
        FileDescriptorProto proto = ProtoSourceParser.parse("""
                syntax = "proto3";
                package t;
                message Inner {
                    repeated string tags = 1;
                }
                message Reply {
                    optional string nick = 1;
                    oneof result {
                        string msg = 2;
                        Inner inner = 3;
                    }
                    map<string, Inner> members = 4;
                    map<int64, Color> color_by_id = 5;
                    enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }
                }
                """, "reply.proto");
        FileDescriptor fd = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
        Descriptor reply = fd.findMessageTypeByName("Reply");

        FieldDescriptor members = reply.findFieldByName("members");
        assertTrue(members.isMapField());
        assertTrue(members.isRepeated());
        Descriptor entry = members.getMessageType();
        assertEquals("t.Reply.MembersEntry", entry.getFullName());
        assertTrue(entry.getOptions().getMapEntry());
        assertField(entry, "key", 1, Type.STRING, OPTIONAL);
        assertField(entry, "value", 2, Type.MESSAGE, OPTIONAL);
        assertSame(fd.findMessageTypeByName("Inner"), entry.findFieldByName("value").getMessageType());

        FieldDescriptor colors = reply.findFieldByName("color_by_id");
        assertTrue(colors.isMapField());
        assertEquals("colorById", colors.getJsonName());
        Descriptor colorEntry = colors.getMessageType();
        assertEquals("ColorByIdEntry", colorEntry.getName());
        assertEquals(Type.INT64, colorEntry.findFieldByName("key").getType());
        assertSame(reply.findEnumTypeByName("Color"), colorEntry.findFieldByName("value").getEnumType());

        // The synthetic oneof for "nick" comes after the declared one even though nick is declared first.
        List<OneofDescriptor> oneofs = reply.getOneofs();
        assertEquals(List.of("result", "_nick"), oneofs.stream().map(OneofDescriptor::getName).toList());
        assertEquals(List.of("msg", "inner"),
                oneofs.get(0).getFields().stream().map(FieldDescriptor::getName).toList());
        assertEquals(List.of(oneofs.get(0)), reply.getRealOneofs());
        FieldDescriptor nick = reply.findFieldByName("nick");
        assertTrue(nick.toProto().getProto3Optional());
        assertTrue(nick.hasPresence());
        assertNull(nick.getRealContainingOneof());
        assertSame(fd.findMessageTypeByName("Inner"), reply.findFieldByName("inner").getMessageType());
    }

    // ------------------------------------------------------------ (4) services

    @Test
    void streamingRpcsAndOptionBodies() throws Exception {
        FileDescriptor fd = build("""
                syntax = "proto3";
                package chat.v1;
                import "google/api/annotations.proto";
                option java_package = "io.example.chat";

                message Msg { string text = 1 [json_name = "body", deprecated = true]; }
                message Ack { int64 id = 1; }

                service Chat {
                  option deprecated = true;
                  rpc Send (Msg) returns (Ack) {
                    option (google.api.http) = {
                      post: "/v1/{room=rooms/*}/messages"
                      body: "*"
                      additional_bindings { post: "/v1/messages" body: "*" }
                    };
                  }
                  rpc Subscribe (Ack) returns (stream Msg) { option idempotency_level = NO_SIDE_EFFECTS; }
                  rpc Upload (stream Msg) returns (Ack);
                  rpc Talk (stream .chat.v1.Msg) returns (stream chat.v1.Ack) {}
                }
                """, "chat.proto", annotationsStub());
        ServiceDescriptor chat = fd.findServiceByName("Chat");
        assertEquals(4, chat.getMethods().size());
        assertStreaming(chat, "Send", false, false);
        assertStreaming(chat, "Subscribe", false, true);
        assertStreaming(chat, "Upload", true, false);
        assertStreaming(chat, "Talk", true, true);
        assertEquals("chat.v1.Msg", chat.findMethodByName("Subscribe").getOutputType().getFullName());
        assertEquals("chat.v1.Msg", chat.findMethodByName("Talk").getInputType().getFullName());
        assertEquals("chat.v1.Ack", chat.findMethodByName("Talk").getOutputType().getFullName());

        FieldDescriptor text = fd.findMessageTypeByName("Msg").findFieldByName("text");
        assertEquals("body", text.getJsonName());
        assertTrue(text.getOptions().getDeprecated());
    }

    /** Stands in for google/api/annotations.proto, which only needs to exist for buildFrom. */
    private static FileDescriptor annotationsStub() throws DescriptorValidationException {
        return FileDescriptor.buildFrom(
                FileDescriptorProto.newBuilder().setName("google/api/annotations.proto").build(),
                new FileDescriptor[0]);
    }

    // ------------------------------------------------------------ (5) errors

    private static ProtoSourceParser.ParseException parseError(String source) {
        return assertThrows(ProtoSourceParser.ParseException.class,
                () -> ProtoSourceParser.parse(source, "bad.proto"));
    }

    @Test
    void missingSemicolonNamesLineAndColumn() {
        ProtoSourceParser.ParseException e = parseError("""
                syntax = "proto3";
                message A {
                  string name = 1
                  int32 age = 2;
                }
                """);
        assertEquals("4:3: expected \";\" but found \"int32\"", e.getMessage());
        assertEquals(4, e.line());
        assertEquals(3, e.column());

        assertEquals("3:15: expected \"=\" but found \"int32\"", parseError("""
                syntax = "proto3";
                message A {
                  string name int32 = 1;
                }
                """).getMessage());
        assertEquals("3:1: expected \"}\" but found end of input",
                parseError("syntax = \"proto3\";\nmessage A { int32 x = 1;\n").getMessage());
    }

    @Test
    void duplicateFieldNumberUsesLuaProtobufWording() {
        // APISIX's t/admin/protos.t "reject invalid proto".
        ProtoSourceParser.ParseException e = parseError("""
                syntax = "proto3";
                package proto;
                message HelloRequest{
                    string name = 1;
                }

                message HelloResponse{
                    int32 code = 1;
                    string msg = 1;
                }
                """);
        assertEquals("9:18: field number '1' exists, previous at 8:18", e.getMessage());
    }

    @Test
    void unknownTypesAreRejectedUnlessTheyCanComeFromAnImport() throws Exception {
        assertEquals("4:3: unknown type Missing", parseError("""
                syntax = "proto3";
                package a;
                message A {
                  Missing m = 1;
                }
                """).getMessage());
        // Found "b" as a message here, so b.M cannot come from an import: protoc rejects it too.
        assertEquals("3:13: unknown type b.M", parseError("""
                syntax = "proto3";
                message b { int32 y = 1; }
                message A { b.M m = 1; }
                """).getMessage());
        assertEquals("3:20: \"E\" is not a message type", parseError("""
                syntax = "proto3";
                enum E { Z = 0; }
                service S { rpc R (E) returns (E); }
                """).getMessage());

        FileDescriptorProto proto = ProtoSourceParser.parse("""
                syntax = "proto3";
                package a.b;
                import "other.proto";
                message A { other.Thing t = 1; b.Thing u = 2; }
                """, "a.proto");
        assertEquals(".other.Thing", proto.getMessageType(0).getField(0).getTypeName());
        // "b" is a level of this file's package, so protoc would look for a.b.Thing.
        assertEquals(".a.b.Thing", proto.getMessageType(0).getField(1).getTypeName());
    }

    @Test
    void otherErrorsNameLineAndColumn() {
        assertEquals("2:1: unterminated block comment",
                parseError("syntax = \"proto3\";\n/* never closed").getMessage());
        assertEquals("1:10: unrecognized syntax identifier \"proto4\", only \"proto2\" and \"proto3\" are supported",
                parseError("syntax = \"proto4\";").getMessage());
        assertEquals("2:13: expected \"required\", \"optional\", or \"repeated\" but found \"int32\"",
                parseError("syntax = \"proto2\";\nmessage A { int32 x = 1; }").getMessage());
        assertEquals("2:17: \"B\" uses the same enum value as \"A\"; set 'option allow_alias = true;' "
                        + "to the enum definition if this is intended",
                parseError("syntax = \"proto3\";\nenum E { A = 0; B = 0; }").getMessage());
        assertEquals("2:17: key in map fields cannot be float/double, bytes or message types",
                parseError("syntax = \"proto3\";\nmessage A { map<float, string> m = 1; }").getMessage());
        assertEquals("2:45: integer out of range",
                parseError("syntax = \"proto2\";\nmessage A { optional int32 x = 1 [default = 2147483648]; }")
                        .getMessage());
    }

    @Test
    void bytesDefaultsRoundTripThroughBuildFrom() throws Exception {
        FileDescriptorProto proto = ProtoSourceParser.parse(
                "message A { optional bytes b = 1 [default = \"\\x00\\xff\\n'q\\\\\"]; }", "a.proto");
        assertEquals("\\000\\377\\n\\'q\\\\", proto.getMessageType(0).getField(0).getDefaultValue());
        FileDescriptor fd = FileDescriptor.buildFrom(proto, new FileDescriptor[0]);
        FieldDescriptor b = fd.findMessageTypeByName("A").findFieldByName("b");
        assertEquals(JavaType.BYTE_STRING, b.getJavaType());
        assertArrayEquals(new byte[] {0, (byte) 0xff, '\n', '\'', 'q', '\\'},
                ((ByteString) b.getDefaultValue()).toByteArray());
    }
}
