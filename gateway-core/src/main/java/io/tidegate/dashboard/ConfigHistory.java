package io.tidegate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The configurations this gateway has served, newest first, each with what changed from the one
 * before: what "what changed, and when?" asks, and what a restore goes back to. Kept in memory,
 * compressed (10,000 routes take some hundreds of kilobytes), at most {@code capacity} entries and
 * {@code maxBytes} in all; the oldest go first. A document equal to the newest is not recorded
 * again (a plugin jar reloaded changes no resource).
 */
public final class ConfigHistory {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One configuration; {@code changes} lists {@code type/id} added, changed and removed since the one before. */
    public record Entry(long seq, long configVersion, Instant time, String cause, Changes changes, byte[] compressed) {
        ObjectNode document() {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                return (ObjectNode) JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public record Changes(List<String> added, List<String> changed, List<String> removed) {}

    private final int capacity;
    private final long maxBytes;
    private final Deque<Entry> entries = new ArrayDeque<>();
    private long bytes;
    private long nextSeq = 1;
    private byte[] newestJson;
    private ObjectNode newestDocument;

    public ConfigHistory(int capacity, long maxBytes) {
        this.capacity = capacity;
        this.maxBytes = maxBytes;
    }

    /** Records {@code document} unless it equals the newest entry's; returns whether it did. */
    public synchronized boolean record(ObjectNode document, long configVersion, String cause) {
        return record(document, configVersion, cause, false);
    }

    /**
     * As {@link #record(ObjectNode, long, String)}; {@code namesTheChange}: the cause comes from the
     * write that made this document (a restore), so when the newest entry already holds it (its
     * version swapped in and was recorded first, under the swap's generic cause), that entry takes
     * this cause.
     */
    public synchronized boolean record(ObjectNode document, long configVersion, String cause, boolean namesTheChange) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (newestJson != null && Arrays.equals(json, newestJson)) {
            if (namesTheChange) {
                Entry newest = entries.removeFirst();
                entries.addFirst(new Entry(newest.seq(), newest.configVersion(), newest.time(), cause, newest.changes(),
                        newest.compressed()));
            }
            return false;
        }
        Changes changes = changes(newestDocument, document);
        Entry entry = new Entry(nextSeq++, configVersion, Instant.now(), cause, changes, gzip(json));
        entries.addFirst(entry);
        bytes += entry.compressed().length;
        while (entries.size() > capacity || (bytes > maxBytes && entries.size() > 1)) {
            bytes -= entries.removeLast().compressed().length;
        }
        newestJson = json;
        newestDocument = document.deepCopy();
        return true;
    }

    /** Newest first. */
    public synchronized List<Entry> entries() {
        return new ArrayList<>(entries);
    }

    /** The entry, or null when it is unknown or no longer kept. */
    public synchronized Entry entry(long seq) {
        return entries.stream().filter(e -> e.seq() == seq).findFirst().orElse(null);
    }

    static Changes changes(ObjectNode before, ObjectNode after) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (Iterator<String> lists = after.fieldNames(); lists.hasNext(); ) {
            String list = lists.next();
            Map<String, JsonNode> old = byId(before == null ? null : before.get(list), list);
            Map<String, JsonNode> now = byId(after.get(list), list);
            now.forEach((id, item) -> {
                JsonNode was = old.get(id);
                if (was == null) {
                    added.add(list + "/" + id);
                } else if (!was.equals(item)) {
                    changed.add(list + "/" + id);
                }
            });
            old.keySet().stream().filter(id -> !now.containsKey(id)).forEach(id -> removed.add(list + "/" + id));
        }
        return new Changes(added, changed, removed);
    }

    private static Map<String, JsonNode> byId(JsonNode items, String list) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (items != null) {
            String idField = list.equals("consumers") ? "username" : "id";
            items.forEach(item -> out.put(item.path(idField).asText(), item));
        }
        return out;
    }

    private static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 8 + 64);
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
