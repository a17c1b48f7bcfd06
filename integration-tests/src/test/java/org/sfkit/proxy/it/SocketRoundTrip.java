package org.sfkit.proxy.it;

import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;
import org.sfkit.proxy.it.harness.TestFiles;

/**
 * Run in a child JVM started with {@code -DsocksProxyHost=...}: an unmodified JDK client that
 * only says {@code new Socket("10.0.0.N", port)}. Sends a payload, half-closes, expects it echoed.
 */
public final class SocketRoundTrip {
    static final String SUCCESS = "round trip ok";
    private static final int PAYLOAD_SIZE = 1 << 20;

    private SocketRoundTrip() {
    }

    public static void main(String[] args) throws IOException {
        byte[] payload = TestFiles.bytes(42, PAYLOAD_SIZE);
        try (Socket socket = new Socket(args[0], Integer.parseInt(args[1]))) {
            socket.getOutputStream().write(payload);
            socket.shutdownOutput();
            byte[] echoed = socket.getInputStream().readAllBytes();
            if (!Arrays.equals(echoed, payload)) {
                System.out.println("echo differs: " + echoed.length + " bytes back of " + payload.length);
                System.exit(1);
            }
        }
        System.out.println(SUCCESS);
    }
}
