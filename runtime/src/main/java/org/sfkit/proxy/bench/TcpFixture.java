package org.sfkit.proxy.bench;

import java.io.IOException;
import java.net.Socket;

/** Path (a): the application's TCP connection straight to the service on loopback (baseline). */
final class TcpFixture implements Fixture {
    private final BenchService service;

    TcpFixture() throws IOException {
        this.service = BenchService.startTcp();
    }

    @Override
    public Duplex connect() throws IOException {
        return Duplex.of(new Socket(service.address().getAddress(), service.port()));
    }

    @Override
    public void close() {
        service.close();
    }
}
