package org.sfkit.proxy.quic.kwik;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.sfkit.proxy.quic.QuicStream;

/**
 * Child-JVM program for {@link KwikListenerShutdownTest}: closes a kwik listener while a client
 * is connected and mid-stream, keeps the client sending at the closed port for a while, closes
 * the client and returns from {@code main} without {@code System.exit}. The JVM must exit by
 * itself, with status 0 (kwik would exit with 9 or hang on a non-daemon thread).
 */
public final class ListenerClosedWhileConnected {
    static final String SURVIVED = "survived listener close";
    /** Time for kwik's receivers, retransmissions and keep-alives to hit the closed socket. */
    private static final long AFTER_CLOSE_MS = 3000;

    private ListenerClosedWhileConnected() {
    }

    public static void main(String[] args) throws Exception {
        KwikPair pair = KwikPair.connect(new KwikEngine());
        QuicStream stream = pair.client.openStream();
        OutputStream out = stream.output();
        out.write(new byte[64 * 1024]);
        pair.nextServerStream();

        pair.listener.close();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AFTER_CLOSE_MS);
        while (System.nanoTime() < end) {
            try {
                out.write(new byte[1024]);
            } catch (IOException expectedOnceClosed) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        TimeUnit.MILLISECONDS.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
        pair.client.close();
        System.out.println(SURVIVED);
    }
}
