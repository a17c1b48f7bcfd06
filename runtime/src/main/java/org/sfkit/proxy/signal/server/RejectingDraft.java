package org.sfkit.proxy.signal.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.HandshakeBuilder;
import org.java_websocket.handshake.HandshakeImpl1Server;
import org.java_websocket.handshake.Handshakedata;
import org.java_websocket.handshake.ServerHandshakeBuilder;

/**
 * RFC 6455 with one addition: answering a handshake with an HTTP error of our choice.
 *
 * <p>Java-WebSocket 1.6.0 answers every refused handshake with {@code 404} (a thrown
 * {@code InvalidDataException} ends in {@code generateHttpResponseDueToError(404)}), and
 * {@code Draft.createHandshake} hard-codes the status line {@code HTTP/1.1 101}. The website's
 * clients tell a bad key (401) from an unknown study (400) by the status, so the server returns
 * a {@link Rejection} from {@code onWebsocketHandshakeReceivedAsServer}, and this draft writes it
 * as a plain HTTP response instead of the 101. The library then believes the socket open; the
 * server closes it at once from {@code onOpen}.
 */
final class RejectingDraft extends Draft_6455 {

    /** A handshake answer that is an HTTP error, not an upgrade. */
    static final class Rejection extends HandshakeImpl1Server {
        private final String body;

        Rejection(int status, String reason, String body) {
            setHttpStatus((short) status);
            setHttpStatusMessage(reason);
            this.body = body;
        }

        String body() {
            return body;
        }
    }

    @Override
    public HandshakeBuilder postProcessHandshakeResponseAsServer(ClientHandshake request,
            ServerHandshakeBuilder response) throws InvalidHandshakeException {
        return response instanceof Rejection ? response
                : super.postProcessHandshakeResponseAsServer(request, response);
    }

    @Override
    public List<ByteBuffer> createHandshake(Handshakedata handshake, boolean withContent) {
        if (!(handshake instanceof Rejection rejection)) {
            return super.createHandshake(handshake, withContent);
        }
        byte[] body = rejection.body().getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + rejection.getHttpStatus() + " "
                + rejection.getHttpStatusMessage() + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        ByteBuffer bytes = ByteBuffer.allocate(head.length() + body.length);
        bytes.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        return List.of(bytes);
    }

    @Override
    public Draft copyInstance() {
        return new RejectingDraft();
    }
}
