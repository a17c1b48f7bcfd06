package org.sfkit.proxy.quic.kwik;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.sfkit.proxy.quic.QuicStream;
import org.sfkit.proxy.quic.StreamResetException;

/**
 * A kwik bidirectional stream. kwik throws a generic {@code StreamClosedException} when the peer
 * reset the stream and an {@code IOException} on writes after the peer's STOP_SENDING; we turn both
 * into {@link StreamResetException} with the peer's code (read through {@link KwikStreamPatches}).
 */
final class KwikStream implements QuicStream {
    private final tech.kwik.core.QuicStream stream;
    private final InputStream input;
    private final OutputStream output;
    private volatile boolean resetLocally;

    KwikStream(tech.kwik.core.QuicStream stream) {
        this.stream = stream;
        this.input = new ResetMappingInput(stream.getInputStream());
        this.output = new ResetMappingOutput(stream.getOutputStream());
    }

    @Override
    public long id() {
        return stream.getStreamId();
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    /** RESET_STREAM for our sending side and STOP_SENDING for the peer's (RFC 9000 sections 19.4, 19.5). */
    @Override
    public void reset(long errorCode) {
        resetLocally = true;
        stream.resetStream(errorCode);
        stream.abortReading(errorCode);
    }

    @Override
    public String toString() {
        return "kwik stream " + stream.getStreamId();
    }

    /** The exception to throw for {@code failure}: the peer's reset if there was one. */
    private IOException mapped(IOException failure, Long peerResetCode) {
        if (resetLocally || peerResetCode == null) {
            return failure;
        }
        StreamResetException reset = new StreamResetException(peerResetCode);
        reset.initCause(failure);
        return reset;
    }

    private final class ResetMappingInput extends FilterInputStream {
        ResetMappingInput(InputStream kwikInput) {
            super(kwikInput);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw mapped(e, KwikStreamPatches.peerResetErrorCode(in));
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw mapped(e, KwikStreamPatches.peerResetErrorCode(in));
            }
        }
    }

    /** Passes writes through whole (FilterOutputStream would write byte by byte). */
    private final class ResetMappingOutput extends FilterOutputStream {
        ResetMappingOutput(OutputStream kwikOutput) {
            super(kwikOutput);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw mapped(e, KwikStreamPatches.outputResetErrorCode(out));
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw mapped(e, KwikStreamPatches.outputResetErrorCode(out));
            }
        }

        /** FIN after every byte written (kwik queues the final frame behind the send buffer). */
        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
