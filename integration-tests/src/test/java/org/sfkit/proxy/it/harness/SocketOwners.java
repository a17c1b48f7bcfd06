package org.sfkit.proxy.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Which process owns the client end of a loopback TCP connection, read from Linux's /proc: with
 * every party on 127.0.0.1, this is how a test tells that party N's proxy, and not another one,
 * made the connection to "its own" service.
 */
public final class SocketOwners {
    private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private SocketOwners() {
    }

    /**
     * @param clientPort the connection's port on the connecting side
     * @param serverPort the port it connected to
     * @param candidates process ids to look in
     * @return the candidate holding that socket, if any
     */
    public static OptionalLong owner(int clientPort, int serverPort, Collection<Long> candidates) throws IOException {
        String inode = inode(clientPort, serverPort);
        if (inode == null) {
            return OptionalLong.empty();
        }
        String link = "socket:[" + inode + "]";
        for (long pid : candidates) {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                if (fds.anyMatch(fd -> link.equals(readLink(fd)))) {
                    return OptionalLong.of(pid);
                }
            } catch (NoSuchFileException exited) {
                // Not running any more: not the owner.
            }
        }
        return OptionalLong.empty();
    }

    /** The socket inode of the connection clientPort -> serverPort, or null (lines: sl local rem st ... inode). */
    private static String inode(int clientPort, int serverPort) throws IOException {
        for (Path table : TCP_TABLES) {
            for (String line : Files.readAllLines(table)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[1].contains(":") && port(fields[1]) == clientPort
                        && port(fields[2]) == serverPort && !fields[9].equals("0")) {
                    return fields[9];
                }
            }
        }
        return null;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.lastIndexOf(':') + 1), 16);
    }

    private static String readLink(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
            return "";
        }
    }
}
