package org.sfkit.proxy.quic;

import java.time.Duration;

/** Transport parameters shared by both engines. Build with {@link #builder()}. */
public final class QuicSettings {
    /** ALPN of the Go sfkit-proxy (spec section 6). */
    public static final String ALPN = "sfkit";

    /** Spec section 6: the Go peer gives up a handshake after 30 s of silence. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    /** Spec section 6: the Go peer sends a PING every 15 s; we match it so NAT bindings stay open. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    /**
     * Spec section 6 uses 24 h. We keep that ceiling for compatibility; dead-peer detection comes
     * from keep-alive loss, not from this timer.
     */
    public static final Duration DEFAULT_MAX_IDLE = Duration.ofHours(24);
    /**
     * Per-stream receive window. 4 MiB covers the bandwidth-delay product of ~300 MB/s at 10 ms,
     * and kwik 0.10.8 at its small defaults stalled on large transfers (field notes).
     */
    public static final long DEFAULT_STREAM_WINDOW = 4L << 20;
    /** Connection window: 8 streams at full stream window, so parallel streams are not throttled. */
    public static final long DEFAULT_CONNECTION_WINDOW = 32L << 20;
    /**
     * Concurrent peer-initiated bidirectional streams. MPC tools open one connection per thread
     * per pair (tens); kwik's default of 3 would make the fourth connect block.
     */
    public static final int DEFAULT_MAX_PEER_STREAMS = 1024;

    private final Duration handshakeTimeout;
    private final Duration keepAlive;
    private final Duration maxIdle;
    private final long streamWindow;
    private final long connectionWindow;
    private final int maxPeerStreams;

    private QuicSettings(Builder b) {
        this.handshakeTimeout = b.handshakeTimeout;
        this.keepAlive = b.keepAlive;
        this.maxIdle = b.maxIdle;
        this.streamWindow = b.streamWindow;
        this.connectionWindow = b.connectionWindow;
        this.maxPeerStreams = b.maxPeerStreams;
    }

    public static QuicSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration handshakeTimeout() { return handshakeTimeout; }
    public Duration keepAlive() { return keepAlive; }
    public Duration maxIdle() { return maxIdle; }
    public long streamWindow() { return streamWindow; }
    public long connectionWindow() { return connectionWindow; }
    public int maxPeerStreams() { return maxPeerStreams; }

    public static final class Builder {
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration keepAlive = DEFAULT_KEEP_ALIVE;
        private Duration maxIdle = DEFAULT_MAX_IDLE;
        private long streamWindow = DEFAULT_STREAM_WINDOW;
        private long connectionWindow = DEFAULT_CONNECTION_WINDOW;
        private int maxPeerStreams = DEFAULT_MAX_PEER_STREAMS;

        public Builder handshakeTimeout(Duration d) { this.handshakeTimeout = d; return this; }
        public Builder keepAlive(Duration d) { this.keepAlive = d; return this; }
        public Builder maxIdle(Duration d) { this.maxIdle = d; return this; }
        public Builder streamWindow(long bytes) { this.streamWindow = bytes; return this; }
        public Builder connectionWindow(long bytes) { this.connectionWindow = bytes; return this; }
        public Builder maxPeerStreams(int n) { this.maxPeerStreams = n; return this; }

        public QuicSettings build() {
            return new QuicSettings(this);
        }
    }
}
