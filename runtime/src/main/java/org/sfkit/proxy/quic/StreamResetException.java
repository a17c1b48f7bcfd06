package org.sfkit.proxy.quic;

import java.io.IOException;

/** The peer reset a stream (RESET_STREAM or STOP_SENDING) with an application error code. */
public class StreamResetException extends IOException {
    private final long errorCode;

    public StreamResetException(long errorCode) {
        super("stream reset by peer: " + StreamErrorCodes.describe(errorCode));
        this.errorCode = errorCode;
    }

    public long errorCode() {
        return errorCode;
    }
}
