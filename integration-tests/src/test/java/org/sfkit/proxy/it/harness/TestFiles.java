package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Deterministic pseudo-random files under target/it/data, generated once per build and reused
 * (with their SHA-256 kept beside them): incompressible, so no layer can cheat on size.
 */
public final class TestFiles {
    public static final long MIB = 1L << 20;
    /** Generation buffer; any size works, 1 MiB keeps the write calls few. */
    private static final int CHUNK = (int) MIB;

    private TestFiles() {
    }

    /** A file served over HTTP: its name in the served directory, size and expected hash. */
    public record DataFile(Path path, long size, String sha256) {
        public String name() {
            return path.getFileName().toString();
        }
    }

    /** {@code size} pseudo-random bytes, distinct for each seed (per-connection payloads). */
    public static byte[] bytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    /** The file {@code name} of {@code size} bytes in {@code dir}, made if absent or stale. */
    public static synchronized DataFile ensure(Path dir, String name, long size) throws IOException {
        Path file = dir.resolve(name);
        Path hashFile = dir.resolve(name + ".sha256");
        if (Files.isRegularFile(file) && Files.size(file) == size && Files.isRegularFile(hashFile)) {
            return new DataFile(file, size, Files.readString(hashFile, StandardCharsets.US_ASCII).strip());
        }
        Path partial = dir.resolve(name + ".partial");
        Sha256 sha = new Sha256();
        // Seeded by the size so two files of different sizes differ from the first byte on.
        SplittableRandom random = new SplittableRandom(size);
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            long remaining = size;
            while (remaining > 0) {
                buffer.clear();
                while (buffer.remaining() >= Long.BYTES) {
                    buffer.putLong(random.nextLong());
                }
                int length = (int) Math.min(remaining, CHUNK - buffer.remaining());
                sha.write(buffer.array(), 0, length);
                buffer.flip().limit(length);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                remaining -= length;
            }
        }
        String hex = sha.hex();
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(hashFile, hex + "\n", StandardCharsets.US_ASCII);
        return new DataFile(file, size, hex);
    }
}
