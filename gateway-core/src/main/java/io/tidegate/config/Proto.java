package io.tidegate.config;

/**
 * APISIX's {@code protos} resource: protobuf definitions that grpc-transcode routes name with
 * {@code proto_id}.
 *
 * @param descriptorSet the content compiled, as a serialized {@code google.protobuf.FileDescriptorSet}
 *                      (the file, and the files it imports, dependencies first)
 */
public record Proto(String id, String content, byte[] descriptorSet) {}
