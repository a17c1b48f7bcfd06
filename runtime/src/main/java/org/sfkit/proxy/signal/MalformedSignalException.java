package org.sfkit.proxy.signal;

/** A signalling message or payload that does not have the shape the protocol requires. */
public class MalformedSignalException extends IllegalArgumentException {
    public MalformedSignalException(String message) {
        super(message);
    }

    public MalformedSignalException(String message, Throwable cause) {
        super(message, cause);
    }
}
