package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The resources one by one, whatever keeps them: etcd, the API-driven configuration or the file.
 * What the dashboard reads and edits, so it works the same in every mode; writes take the mode's
 * own path (etcd's checked transactions, a PUT of the whole configuration), so every rule of the
 * Admin API holds for them too.
 */
public interface ResourceStore {
    /** The lists a store holds, in the order their items may refer to one another (referred to first). */
    List<String> LISTS = List.of("upstreams", "protos", "plugin_configs", "services", "consumers", "ssls", "global_rules", "routes");

    /** {@code etcd}, {@code api} (API-driven standalone) or {@code file}. */
    String mode();

    /** Null when writes are accepted; else why not. */
    String readOnlyReason();

    /** Where the resources come from, for people. */
    String detail();

    /** Every list of {@link #LISTS}, items with their {@code id} (consumers: {@code username}), secrets included. */
    ObjectNode document();

    /** What a write answered: an HTTP status and a JSON body ({@code error_msg}, and {@code errors} with fields where known). */
    record Answer(int status, JsonNode body) {
        static Answer of(Reply reply) {
            return new Answer(reply.status(), reply.body());
        }
    }

    /** Creates (201) or replaces (200) one resource; {@code value} carries its id. */
    Answer put(String type, String id, ObjectNode value);

    /** 200 {@code {}} when a {@link #put} of it would be accepted now, else its refusal; nothing is written. */
    Answer check(String type, String id, ObjectNode value);

    /** 200, 404 when absent, 400 when something still uses it. */
    Answer delete(String type, String id);

    /** Makes {@code lists} (as {@link #document} gives them) the configuration in force. */
    Answer replace(ObjectNode lists);
}
