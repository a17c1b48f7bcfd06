package org.sfkit.proxy.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link AfterReadBurst} on a real event loop: once per burst, never stuck, bounded. */
class AfterReadBurstTest {
    private static final MultiThreadIoEventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = GROUP.next();

    @AfterAll
    static void stop() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void manyArmsInOneBurstRunTheActionOnceAndLaterArmsRunItAgain() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AfterReadBurst burst = new AfterReadBurst(loop, runs::incrementAndGet);
        loop.submit(() -> {
            for (int i = 0; i < 100; i++) {
                burst.arm();
            }
        }).sync();
        awaitRuns(runs, 1);
        Thread.sleep(50);
        assertThat(runs).as("one burst, one run").hasValue(1);

        loop.submit(burst::arm).sync();
        awaitRuns(runs, 2);
    }

    @Test
    void aStreamThatKeepsGrowingStillRunsAfterTheLastPass() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AfterReadBurst burst = new AfterReadBurst(loop, runs::incrementAndGet);
        CompletableFuture<Void> stop = new CompletableFuture<>();
        // Bytes arrive on every loop pass, forever: the action must not wait for a quiet pass.
        Runnable feed = new Runnable() {
            @Override
            public void run() {
                burst.arm();
                if (!stop.isDone()) {
                    loop.schedule(this, 0, TimeUnit.NANOSECONDS);
                }
            }
        };
        loop.execute(feed);
        awaitRuns(runs, 3);
        stop.complete(null);
    }

    private static void awaitRuns(AtomicInteger runs, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (runs.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(runs.get()).as("runs").isGreaterThanOrEqualTo(atLeast);
    }
}
