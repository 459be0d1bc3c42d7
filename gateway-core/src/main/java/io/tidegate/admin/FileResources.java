package io.tidegate.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import java.nio.file.Path;

/**
 * The resources of a file-driven gateway, read from the file as it is now (the gateway applies
 * each valid edit within a second). Read-only: the file is the one place they change, so that an
 * edit made here could not be lost at the next edit of the file.
 */
public final class FileResources implements ResourceStore {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final Path configFile;
    /** What the file last held when it parsed: a file caught half-written shows that instead. */
    private volatile ObjectNode lastRead = NODES.objectNode();

    public FileResources(Path configFile) {
        this.configFile = configFile;
    }

    @Override
    public String mode() {
        return "file";
    }

    @Override
    public String readOnlyReason() {
        return "the resources come from " + configFile + ": edit that file (the gateway applies each valid edit)";
    }

    @Override
    public String detail() {
        return configFile.toString();
    }

    @Override
    public ObjectNode document() {
        ObjectNode lists;
        try {
            lists = new ConfigLoader().resourceLists(configFile);
            lastRead = lists;
        } catch (ConfigException e) {
            lists = lastRead;  // being rewritten, say: the gateway serves the last good version meanwhile
        }
        ObjectNode document = NODES.objectNode();
        for (String list : LISTS) {
            document.set(list, lists.path(list).isArray() ? lists.get(list) : NODES.arrayNode());
        }
        return document;
    }

    @Override
    public Answer put(String type, String id, ObjectNode value) {
        return refused();
    }

    @Override
    public Answer check(String type, String id, ObjectNode value) {
        return refused();
    }

    @Override
    public Answer delete(String type, String id) {
        return refused();
    }

    @Override
    public Answer replace(ObjectNode lists) {
        return refused();
    }

    private Answer refused() {
        return new Answer(405, NODES.objectNode().put("error_msg", "read-only: " + readOnlyReason()));
    }
}
