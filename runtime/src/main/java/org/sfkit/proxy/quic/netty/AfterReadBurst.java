package org.sfkit.proxy.quic.netty;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action once a stream's read burst is over: arming it any number of times meanwhile runs
 * it once. Netty hands a stream its bytes after every QUIC packet, and with several busy streams
 * a burst of datagrams holds a packet or two per stream: an action per packet (waking a reader,
 * flushing a TCP write, each a system call and a context switch) was the largest cost of a proxy
 * carrying 8 connections. Event loop only.
 *
 * <p>How: a task scheduled with no delay runs after the next I/O pass, which does not block while
 * the task is due. So the action waits for one more non-blocking poll of the sockets, and for more
 * while each pass brings this stream more bytes, up to {@link #MAX_PASSES}. An idle loop's first
 * pass finds nothing and the action runs (a ping-pong pays one system call); a loop that falls
 * behind a bulk transfer finds the datagrams that arrived meanwhile, so writes grow with the load
 * instead of their number. No timer: nothing waits for data that has not arrived.
 */
final class AfterReadBurst {
    /**
     * Passes one action may wait. Measured between two proxy processes with 8 connections (MB/s at
     * CPU-s/GiB): 1 pass 137-144 at 13.5-14; 3 passes 153-186 at 10.5-12.7; 6 passes 207-215 at
     * 9.1-9.5; 10 passes no better. The bound caps the latency a busy stream's last bytes can gain
     * at a few microseconds per pass.
     */
    static final int MAX_PASSES = 8;

    private final EventLoop loop;
    private final Runnable action;
    private final Runnable pass = this::pass;
    private boolean armed;
    private boolean grew;
    private int passes;

    AfterReadBurst(EventLoop loop, Runnable action) {
        this.loop = loop;
        this.action = action;
    }

    /** Another read batch arrived. */
    void arm() {
        if (armed) {
            grew = true;
            return;
        }
        armed = true;
        grew = false;
        passes = 0;
        // execute: runs after this I/O pass; its schedule(0) then waits for the next one.
        loop.execute(this::nextPass);
    }

    private void nextPass() {
        loop.schedule(pass, 0, TimeUnit.NANOSECONDS);
    }

    private void pass() {
        if (grew && ++passes < MAX_PASSES) {
            grew = false;
            nextPass();
            return;
        }
        armed = false;
        action.run();
    }
}
