package io.tidegate.config;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tidegate.protos.ProtoSourceParser;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@code protos} resource's {@code content} as APISIX does: first as the text of one
 * .proto file, else as base64 of a serialized FileDescriptorSet (protoc's
 * {@code --include_imports --descriptor_set_out}). A text file may import protobuf's well-known
 * types ({@code google/protobuf/*.proto}, which protobuf-java carries); other imports need the
 * descriptor-set form. Either way every type must resolve: the result is what grpc-transcode
 * decodes and encodes with.
 */
final class ProtoContent {
    /** protobuf's well-known files, by import path. */
    private static final Map<String, Descriptors.FileDescriptor> WELL_KNOWN = wellKnown();

    private ProtoContent() {}

    /** @return the compiled FileDescriptorSet, serialized */
    static byte[] compile(String content, String id) throws InvalidContent {
        String textError;
        try {
            FileDescriptorProto file = ProtoSourceParser.parse(content, "proto_" + id + ".proto");
            return resolve(FileDescriptorSet.newBuilder().addFile(file).build(), true).toByteArray();
        } catch (ProtoSourceParser.ParseException | Descriptors.DescriptorValidationException e) {
            textError = e.getMessage();
        }
        byte[] binary;
        try {
            binary = Base64.getMimeDecoder().decode(content.trim());
        } catch (IllegalArgumentException notBase64) {
            throw new InvalidContent(textError);
        }
        try {
            return resolve(FileDescriptorSet.parseFrom(binary), false).toByteArray();
        } catch (InvalidProtocolBufferException | Descriptors.DescriptorValidationException | RuntimeException e) {
            throw new InvalidContent(textError);
        }
    }

    /**
     * Builds every file of the set against the ones it imports, adding protobuf's well-known files
     * where a text file imports them; the set returned holds dependencies before their dependents.
     */
    private static FileDescriptorSet resolve(FileDescriptorSet set, boolean addWellKnown)
            throws Descriptors.DescriptorValidationException {
        Map<String, FileDescriptorProto> byName = new LinkedHashMap<>();
        for (FileDescriptorProto file : set.getFileList()) {
            byName.put(file.getName(), file);
        }
        if (byName.isEmpty()) {
            throw new IllegalArgumentException("an empty descriptor set");
        }
        Map<String, Descriptors.FileDescriptor> built = new HashMap<>();
        List<FileDescriptorProto> ordered = new ArrayList<>();
        for (FileDescriptorProto file : byName.values()) {
            build(file, byName, built, ordered, addWellKnown, new ArrayList<>());
        }
        return FileDescriptorSet.newBuilder().addAllFile(ordered).build();
    }

    private static Descriptors.FileDescriptor build(FileDescriptorProto file, Map<String, FileDescriptorProto> byName,
            Map<String, Descriptors.FileDescriptor> built, List<FileDescriptorProto> ordered, boolean addWellKnown,
            List<String> stack) throws Descriptors.DescriptorValidationException {
        Descriptors.FileDescriptor done = built.get(file.getName());
        if (done != null) {
            return done;
        }
        if (stack.contains(file.getName())) {
            throw new IllegalArgumentException("import cycle through " + file.getName());
        }
        stack.add(file.getName());
        List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
        for (String name : file.getDependencyList()) {
            FileDescriptorProto dependency = byName.get(name);
            if (dependency != null) {
                dependencies.add(build(dependency, byName, built, ordered, addWellKnown, stack));
            } else if (addWellKnown && WELL_KNOWN.containsKey(name)) {
                Descriptors.FileDescriptor known = WELL_KNOWN.get(name);
                addKnown(known, built, ordered);
                dependencies.add(known);
            } else {
                throw new IllegalArgumentException("import \"" + name + "\" cannot be resolved"
                        + (addWellKnown ? " (a .proto text can import only google/protobuf/*.proto; give a descriptor set)" : ""));
            }
        }
        stack.remove(file.getName());
        Descriptors.FileDescriptor result = Descriptors.FileDescriptor.buildFrom(file,
                dependencies.toArray(new Descriptors.FileDescriptor[0]));
        built.put(file.getName(), result);
        ordered.add(file);
        return result;
    }

    /** A well-known file and, before it, the well-known files it imports. */
    private static void addKnown(Descriptors.FileDescriptor known, Map<String, Descriptors.FileDescriptor> built,
                                 List<FileDescriptorProto> ordered) {
        if (built.containsKey(known.getName())) {
            return;
        }
        for (Descriptors.FileDescriptor dependency : known.getDependencies()) {
            addKnown(dependency, built, ordered);
        }
        built.put(known.getName(), known);
        ordered.add(known.toProto());
    }

    private static Map<String, Descriptors.FileDescriptor> wellKnown() {
        Map<String, Descriptors.FileDescriptor> files = new HashMap<>();
        for (Descriptors.FileDescriptor file : List.of(com.google.protobuf.AnyProto.getDescriptor(),
                com.google.protobuf.ApiProto.getDescriptor(), com.google.protobuf.DurationProto.getDescriptor(),
                com.google.protobuf.EmptyProto.getDescriptor(), com.google.protobuf.FieldMaskProto.getDescriptor(),
                com.google.protobuf.SourceContextProto.getDescriptor(), com.google.protobuf.StructProto.getDescriptor(),
                com.google.protobuf.TimestampProto.getDescriptor(), com.google.protobuf.TypeProto.getDescriptor(),
                com.google.protobuf.WrappersProto.getDescriptor(), com.google.protobuf.DescriptorProtos.getDescriptor())) {
            files.put(file.getName(), file);
        }
        return Map.copyOf(files);
    }

    /** The content is neither a .proto text nor a descriptor set that resolves; the message is the text parser's. */
    static final class InvalidContent extends Exception {
        InvalidContent(String message) {
            super(message);
        }
    }
}
