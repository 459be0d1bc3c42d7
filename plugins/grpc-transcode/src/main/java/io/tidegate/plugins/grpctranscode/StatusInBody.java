package io.tidegate.plugins.grpctranscode;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code show_status_in_body}: a failed call's {@code grpc-status-details-bin} (a
 * {@code google.rpc.Status}: code, message, details as Any) written as
 * {@code {"error":{"code":..,"message":..,"details":[..]}}}. Each detail is its {@code type_url}
 * and raw {@code value}, or, with {@code status_detail_type}, that message decoded.
 */
final class StatusInBody {
    static final String NOT_BASE64 = "grpc-status-details-bin is not base64 format";
    static final String UNDECODABLE = "failed to call pb.decode to decode grpc-status-details-bin";
    static final String DETAILS_UNDECODABLE = "failed to call pb.decode to decode details in grpc-status-details-bin";

    private StatusInBody() {}

    /** A body that could not be made: the text APISIX answers instead. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private record Detail(String typeUrl, byte[] value) {}

    /** @param detailType the route's {@code status_detail_type} resolved in its proto, or null for raw details */
    static byte[] body(String header, Descriptor detailType, boolean detailTypeNamed, MessageToJson json) throws Failure {
        byte[] status;
        try {
            status = Base64.getDecoder().decode(padded(header.trim()));
        } catch (IllegalArgumentException e) {
            throw new Failure(NOT_BASE64);
        }
        long code = 0;
        String message = "";
        List<Detail> details = new ArrayList<>();
        try {
            CodedInputStream in = CodedInputStream.newInstance(status);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case 8 -> code = in.readInt32();
                    case 18 -> message = in.readStringRequireUtf8();
                    case 26 -> details.add(any(in.readBytes().toByteArray()));
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new Failure(UNDECODABLE);
        }
        JsonText out = new JsonText();
        out.raw("{\"error\":{\"code\":").number(code).raw(",\"message\":").string(message).raw(",\"details\":[");
        for (int i = 0; i < details.size(); i++) {
            if (i > 0) {
                out.raw(",");
            }
            Detail detail = details.get(i);
            if (detailTypeNamed) {
                if (detailType == null) {
                    throw new Failure(DETAILS_UNDECODABLE);
                }
                try {
                    json.message(DynamicMessage.parseFrom(detailType, detail.value()), out);
                } catch (IOException e) {
                    throw new Failure(DETAILS_UNDECODABLE);
                }
            } else {
                out.raw("{\"type_url\":").string(detail.typeUrl()).raw(",\"value\":").string(detail.value()).raw("}");
            }
        }
        return out.raw("]}}").bytes();
    }

    private static Detail any(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String typeUrl = "";
        byte[] value = new byte[0];
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case 10 -> typeUrl = in.readStringRequireUtf8();
                case 18 -> value = in.readBytes().toByteArray();
                default -> in.skipField(tag);
            }
        }
        return new Detail(typeUrl, value);
    }

    /** gRPC sends -bin values without padding; Java's decoder wants it. */
    private static String padded(String base64) {
        int missing = (4 - base64.length() % 4) % 4;
        return missing == 0 ? base64 : base64 + "=".repeat(missing);
    }
}
