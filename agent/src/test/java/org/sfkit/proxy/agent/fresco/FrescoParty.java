package org.sfkit.proxy.agent.fresco;

import dk.alexandra.fresco.framework.Application;
import dk.alexandra.fresco.framework.DRes;
import dk.alexandra.fresco.framework.Party;
import dk.alexandra.fresco.framework.builder.numeric.Numeric;
import dk.alexandra.fresco.framework.builder.numeric.ProtocolBuilderNumeric;
import dk.alexandra.fresco.framework.builder.numeric.field.BigIntegerFieldDefinition;
import dk.alexandra.fresco.framework.builder.numeric.field.FieldDefinition;
import dk.alexandra.fresco.framework.configuration.NetworkConfigurationImpl;
import dk.alexandra.fresco.framework.network.socket.SocketNetwork;
import dk.alexandra.fresco.framework.sce.SecureComputationEngineImpl;
import dk.alexandra.fresco.framework.sce.evaluator.BatchedProtocolEvaluator;
import dk.alexandra.fresco.framework.sce.evaluator.BatchedStrategy;
import dk.alexandra.fresco.framework.value.SInt;
import dk.alexandra.fresco.suite.dummy.arithmetic.DummyArithmeticProtocolSuite;
import dk.alexandra.fresco.suite.dummy.arithmetic.DummyArithmeticResourcePool;
import dk.alexandra.fresco.suite.dummy.arithmetic.DummyArithmeticResourcePoolImpl;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * One FRESCO party (its own JVM): inputs a secret, and with the others computes and opens the sum
 * and the product of all inputs with the dummy arithmetic suite (no preprocessing service). The
 * network is FRESCO's own {@link SocketNetwork} over {@code java.net.Socket}.
 *
 * <p>Usage: {@code FrescoParty <my id> <host:port of party 1,party 2,...> <my input> [socks host:port]};
 * prints {@code RESULT sum=<s> product=<p> carried=<connects the agent carried, -1 without it>}. With a SOCKS address, outgoing sockets go through that
 * SOCKS5 proxy.
 */
public final class FrescoParty {
    /** 2^127 - 1, a prime far above any sum or product the tests make. */
    private static final BigInteger MODULUS = BigInteger.TWO.pow(127).subtract(BigInteger.ONE);
    /** The dummy suite's limits; only comparisons and fixed point use them. */
    private static final int MAX_BIT_LENGTH = 64;
    private static final int FIXED_POINT_PRECISION = 16;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private FrescoParty() {
    }

    public static void main(String[] args) throws Exception {
        int myId = Integer.parseInt(args[0]);
        String[] addresses = args[1].split(",");
        BigInteger input = new BigInteger(args[2]);
        Map<Integer, Party> parties = new HashMap<>();
        for (int id = 1; id <= addresses.length; id++) {
            String[] hostPort = addresses[id - 1].split(":");
            parties.put(id, new Party(id, hostPort[0], Integer.parseInt(hostPort[1])));
        }
        NetworkConfigurationImpl configuration = new NetworkConfigurationImpl(myId, parties);
        SocketFactory sockets = args.length > 3 ? socks(args[3]) : SocketFactory.getDefault();
        FieldDefinition field = new BigIntegerFieldDefinition(MODULUS);
        DummyArithmeticProtocolSuite suite = new DummyArithmeticProtocolSuite(field, MAX_BIT_LENGTH, FIXED_POINT_PRECISION);
        SecureComputationEngineImpl<DummyArithmeticResourcePool, ProtocolBuilderNumeric> engine =
                new SecureComputationEngineImpl<>(suite, new BatchedProtocolEvaluator<>(new BatchedStrategy<>(), suite));
        int count = addresses.length;
        Application<List<BigInteger>, ProtocolBuilderNumeric> sumAndProduct = builder -> {
            Numeric numeric = builder.numeric();
            List<DRes<SInt>> secrets = new ArrayList<>();
            for (int id = 1; id <= count; id++) {
                secrets.add(numeric.input(id == myId ? input : null, id));
            }
            DRes<SInt> sum = secrets.get(0);
            DRes<SInt> product = secrets.get(0);
            for (DRes<SInt> secret : secrets.subList(1, count)) {
                sum = numeric.add(sum, secret);
                product = numeric.mult(product, secret);
            }
            DRes<BigInteger> openSum = numeric.open(sum);
            DRes<BigInteger> openProduct = numeric.open(product);
            return () -> List.of(openSum.out(), openProduct.out());
        };
        // FRESCO retries refused connects for a minute (Connector.DEFAULT_CONNECTION_TIMEOUT).
        try (SocketNetwork network = new SocketNetwork(configuration, sockets, ServerSocketFactory.getDefault())) {
            List<BigInteger> out = engine.runApplication(sumAndProduct,
                    new DummyArithmeticResourcePoolImpl(myId, count, field), network, RUN_TIMEOUT);
            System.out.println("RESULT sum=" + out.get(0) + " product=" + out.get(1) + " carried=" + carried());
        }
        engine.close();
        System.exit(0);
    }

    /** Connects the agent carried, or -1 without the agent (its bridge lives in the boot loader). */
    private static long carried() {
        try {
            return (long) Class.forName("org.sfkit.proxy.agent.bootstrap.AgentBridge", true, null)
                    .getMethod("carriedConnects").invoke(null);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /**
     * Sockets through a SOCKS5 proxy. The JDK's SOCKS client reports a refused target as a plain
     * {@link SocketException} (field notes), but FRESCO retries only on {@link ConnectException}:
     * a party that starts before the others would give up at once, so the refusal is mapped back.
     */
    private static SocketFactory socks(String hostPort) {
        String[] parts = hostPort.split(":");
        Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress(parts[0], Integer.parseInt(parts[1])));
        return new SocketFactory() {
            @Override
            public Socket createSocket() {
                return new Socket(proxy);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket socket = new Socket(proxy);
                try {
                    socket.connect(new InetSocketAddress(host, port));
                    return socket;
                } catch (ConnectException e) {
                    socket.close();
                    throw e;
                } catch (SocketException e) {
                    socket.close();
                    ConnectException refused = new ConnectException("through SOCKS: " + e.getMessage());
                    refused.initCause(e);
                    throw refused;
                }
            }

            @Override
            public Socket createSocket(String host, int port, java.net.InetAddress localHost, int localPort) throws IOException {
                return createSocket(host, port);
            }

            @Override
            public Socket createSocket(java.net.InetAddress host, int port) throws IOException {
                return createSocket(host.getHostAddress(), port);
            }

            @Override
            public Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress localAddress, int localPort)
                    throws IOException {
                return createSocket(address.getHostAddress(), port);
            }
        };
    }
}
