package io.tidegate.plugins.grpctranscode;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One proto's types, built from the descriptor set the gateway compiled it to: its own registry,
 * so two protos may define the same type names differently.
 */
final class ProtoIndex {
    private final Map<String, Descriptors.ServiceDescriptor> services = new HashMap<>();
    private final Map<String, Descriptors.Descriptor> messages = new HashMap<>();

    private ProtoIndex() {}

    static ProtoIndex of(byte[] descriptorSet) throws com.google.protobuf.InvalidProtocolBufferException,
            Descriptors.DescriptorValidationException {
        ProtoIndex index = new ProtoIndex();
        Map<String, Descriptors.FileDescriptor> built = new HashMap<>();
        // the gateway orders the set dependencies first
        for (FileDescriptorProto file : FileDescriptorSet.parseFrom(descriptorSet).getFileList()) {
            List<Descriptors.FileDescriptor> dependencies = new ArrayList<>();
            for (String name : file.getDependencyList()) {
                dependencies.add(built.get(name));
            }
            Descriptors.FileDescriptor descriptor = Descriptors.FileDescriptor.buildFrom(file,
                    dependencies.toArray(new Descriptors.FileDescriptor[0]));
            built.put(file.getName(), descriptor);
            descriptor.getServices().forEach(service -> index.services.put(service.getFullName(), service));
            descriptor.getMessageTypes().forEach(index::addMessage);
        }
        return index;
    }

    private void addMessage(Descriptors.Descriptor type) {
        messages.put(type.getFullName(), type);
        type.getNestedTypes().forEach(this::addMessage);
    }

    /** {@code service} (with its package) and {@code method}; null when the proto has no such method. */
    Descriptors.MethodDescriptor method(String service, String method) {
        Descriptors.ServiceDescriptor found = services.get(service);
        return found == null ? null : found.findMethodByName(method);
    }

    /** A message type by its full name; null when the proto has none. */
    Descriptors.Descriptor message(String fullName) {
        return messages.get(fullName.startsWith(".") ? fullName.substring(1) : fullName);
    }
}
