package io.tidegate.plugins.proxycache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tidegate.plugin.api.CacheZone;
import io.tidegate.plugin.api.PluginLog;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A disk zone: each response in its own file under {@code disk_path}, in nginx's {@code levels}
 * folders named from the MD5 of its key. A file is written to {@code tmp/} as the response streams
 * and moved into place whole (atomically), so a reader or a crash never sees half an entry; the
 * file carries its key and head, so the index is rebuilt from the files when the gateway starts
 * (entries survive a restart). The index, in memory, bounds the files' total size by
 * {@code disk_size}: an entry evicted, replaced or purged has its file deleted. Bodies of hits are
 * read whole into memory, off the IO threads (so entries are bounded by {@code max_resp_body_size});
 * bodies being stored are written on the IO thread, chunk by chunk, to the page cache.
 */
final class DiskStore implements CacheStore {
    private static final int MAGIC = 0x54474332;  // "TGC2"
    private static final int MAX_HEAD_BYTES = 1 << 20;

    /** An indexed file: its entry's head and where its body starts. */
    private record DiskEntry(CachedEntry head, Path file, long bodyOffset, long size) {}

    private final Path root;
    private final Path tmp;
    private final int[] levels;
    private final long diskSize;
    private final PluginLog log;
    private final Cache<String, DiskEntry> index;
    private final ExecutorService reader = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "tidegate-proxy-cache-disk");
        thread.setDaemon(true);
        return thread;
    });

    DiskStore(CacheZone zone, PluginLog log) {
        this.root = zone.diskPath();
        this.tmp = root.resolve("tmp");
        this.levels = zone.cacheLevels() == null ? new int[] {1, 2}
                : java.util.Arrays.stream(zone.cacheLevels().split(":")).mapToInt(Integer::parseInt).toArray();
        this.diskSize = zone.diskSize();
        this.log = log;
        this.index = Caffeine.newBuilder()
                .maximumWeight(diskSize)
                .weigher((String key, DiskEntry entry) -> (int) Math.min(Integer.MAX_VALUE, entry.size()))
                .expireAfter(new KeptStale<DiskEntry>(DiskEntry::head))
                // every file has one entry: whatever ends the entry (evicted, replaced, purged) ends its file
                .removalListener((String key, DiskEntry entry, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (entry != null) {
                        deleteQuietly(entry.file());
                    }
                })
                .executor(reader)  // files are deleted off the IO threads
                .build();
        try {
            Files.createDirectories(tmp);
            clearStaleTemporaryFiles();
            reindex();
        } catch (IOException e) {
            throw new UncheckedIOException("cache zone " + zone.name() + ": cannot use " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public CachedEntry entry(String key) {
        DiskEntry entry = index.getIfPresent(key);
        return entry == null ? null : entry.head();
    }

    @Override
    public CompletionStage<byte[]> body(String key, CachedEntry head) {
        DiskEntry entry = index.getIfPresent(key);
        if (entry == null || entry.head() != head || head.bodyLength() > Integer.MAX_VALUE - 16) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.supplyAsync(() -> {
            try (FileChannel channel = FileChannel.open(entry.file(), StandardOpenOption.READ)) {
                long length = channel.size() - entry.bodyOffset();
                if (length != head.bodyLength()) {
                    return null;
                }
                ByteBuffer body = ByteBuffer.allocate((int) length);
                channel.position(entry.bodyOffset());
                while (body.hasRemaining() && channel.read(body) >= 0) {
                    // read on
                }
                return body.hasRemaining() ? null : body.array();
            } catch (NoSuchFileException e) {
                index.asMap().remove(key, entry);
                return null;
            } catch (IOException e) {
                log.warn("cannot read cached file {}: {}", entry.file(), e.getMessage());
                return null;
            }
        }, reader);
    }

    @Override
    public Writer writer(String key, CachedEntry head, long maxBodyBytes) {
        long maxBytes = Math.min(maxBodyBytes, diskSize);
        byte[] encodedHead;
        try {
            encodedHead = encodeHead(key, head);
        } catch (UncheckedIOException e) {
            return null;
        }
        Path file = tmp.resolve(UUID.randomUUID().toString());
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writeFully(channel, ByteBuffer.wrap(encodedHead));
        } catch (IOException e) {
            log.warn("cannot write a cache file in {}: {}", tmp, e.getMessage());
            deleteQuietly(file);
            return null;
        }
        return new Writer() {
            private long written;
            private boolean open = true;

            @Override
            public boolean write(ByteBuffer data) {
                if (!open) {
                    return false;
                }
                if (written + data.remaining() > maxBytes) {
                    abort();
                    return false;
                }
                try {
                    written += writeFully(channel, data.duplicate());
                    return true;
                } catch (IOException e) {
                    log.warn("cannot write cache file {}: {}", file, e.getMessage());
                    abort();
                    return false;
                }
            }

            @Override
            public void commit() {
                if (!open) {
                    return;
                }
                open = false;
                try {
                    channel.close();
                    Path target = pathFor(key);
                    Files.createDirectories(target.getParent());
                    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                    CachedEntry stored = new CachedEntry(head.status(), head.headers(), head.storedAtMillis(), head.ttlMillis(), null, written);
                    index.put(key, new DiskEntry(stored, target, encodedHead.length, encodedHead.length + written));
                } catch (IOException e) {
                    log.warn("cannot store cache file for {}: {}", key, e.getMessage());
                    deleteQuietly(file);
                }
            }

            @Override
            public void abort() {
                if (open) {
                    open = false;
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // deleted below either way
                    }
                    deleteQuietly(file);
                }
            }
        };
    }

    @Override
    public boolean remove(String key) {
        return index.asMap().remove(key) != null;
    }

    @Override
    public boolean removeStartingWith(String prefix) {
        return index.asMap().keySet().removeIf(key -> key.startsWith(prefix));
    }

    @Override
    public void close() {
        reader.shutdown();
    }

    /** nginx's layout: the MD5's last characters name the folders, a unique suffix each version of the entry. */
    private Path pathFor(String key) {
        String md5 = md5(key);
        Path dir = root;
        int end = md5.length();
        for (int level : levels) {
            dir = dir.resolve(md5.substring(end - level, end));
            end -= level;
        }
        return dir.resolve(md5 + "." + Long.toHexString(System.nanoTime()));
    }

    private static String md5(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long writeFully(FileChannel channel, ByteBuffer data) throws IOException {
        long total = 0;
        while (data.hasRemaining()) {
            total += channel.write(data);
        }
        return total;
    }

    private static byte[] encodeHead(String key, CachedEntry head) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            writeString(out, key);
            out.writeInt(head.status());
            out.writeLong(head.storedAtMillis());
            out.writeLong(head.ttlMillis());
            out.writeInt(head.headers().size());
            for (Map.Entry<String, List<String>> header : head.headers().entrySet()) {
                writeString(out, header.getKey());
                out.writeInt(header.getValue().size());
                for (String value : header.getValue()) {
                    writeString(out, value);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A string of any length (DataOutput's UTF stops at 64 KiB): its UTF-8 length, then its bytes. */
    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_HEAD_BYTES) {
            throw new IOException("damaged head");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * Deletes what a gateway that stopped left half written. Only files an hour old: another
     * process may be using the folder right now (a gateway serving while {@code -t} checks its
     * configuration), and its files in progress are young.
     */
    private void clearStaleTemporaryFiles() throws IOException {
        long before = System.currentTimeMillis() - 3_600_000;
        try (Stream<Path> files = Files.list(tmp)) {
            files.filter(file -> file.toFile().lastModified() < before).forEach(DiskStore::deleteQuietly);
        }
    }

    /**
     * Reads every cache file's head back into the index. A file that is not one of ours, or is
     * damaged, is left alone (it is not indexed, so never served); of two versions of one key, the
     * older goes.
     */
    private void reindex() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).filter(p -> !p.startsWith(tmp)).forEach(files::add);
        }
        Map<String, DiskEntry> newest = new LinkedHashMap<>();
        for (Path file : files) {
            try (InputStream stream = Files.newInputStream(file); DataInputStream in = new DataInputStream(stream)) {
                long size = Files.size(file);
                if (in.readInt() != MAGIC) {
                    continue;  // not ours: left alone
                }
                String key = readString(in);
                int status = in.readInt();
                long storedAt = in.readLong();
                long ttl = in.readLong();
                int count = in.readInt();
                if (count < 0 || count > 10_000) {
                    throw new IOException("damaged head");
                }
                Map<String, List<String>> headers = new LinkedHashMap<>();
                for (int i = 0; i < count; i++) {
                    String name = readString(in);
                    int values = in.readInt();
                    List<String> list = new ArrayList<>(values);
                    for (int v = 0; v < values; v++) {
                        list.add(readString(in));
                    }
                    headers.put(name, List.copyOf(list));
                }
                long headLength = encodeHead(key, new CachedEntry(status, headers, storedAt, ttl, null, 0)).length;
                if (headLength > MAX_HEAD_BYTES || headLength > size) {
                    throw new IOException("damaged head");
                }
                CachedEntry head = new CachedEntry(status, java.util.Collections.unmodifiableMap(headers), storedAt, ttl, null, size - headLength);
                DiskEntry entry = new DiskEntry(head, file, headLength, size);
                DiskEntry before = newest.put(key, entry);
                if (before != null && before.head().storedAtMillis() > storedAt) {
                    newest.put(key, before);
                    deleteQuietly(file);
                } else if (before != null) {
                    deleteQuietly(before.file());
                }
            } catch (IOException e) {
                // damaged or being written by another process: not indexed
            }
        }
        newest.forEach(index::put);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a file that cannot be deleted now is dropped from the index all the same
        }
    }
}
