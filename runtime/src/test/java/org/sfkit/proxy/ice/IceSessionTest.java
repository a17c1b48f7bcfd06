package org.sfkit.proxy.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.ice4j.ice.harvest.AwsCandidateHarvester;
import org.ice4j.ice.harvest.HarvestConfig;
import org.ice4j.ice.harvest.MappingCandidateHarvesters;
import org.junit.jupiter.api.Test;

class IceSessionTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void theAwsMetadataProbeIsOffBeforeIce4jFirstRuns() {
        IceSession.warmUp(); // what every node does first

        assertThat(System.getProperty(Ice4jDefaults.AWS_MAPPING)).isEqualTo("false");
        assertThat(HarvestConfig.config.enableAwsHarvester()).isFalse();
        assertThat(MappingCandidateHarvesters.getHarvesters()).noneMatch(AwsCandidateHarvester.class::isInstance);
    }

    @Test
    void theStunResponderReturnsTheSendersAddress() throws Exception {
        try (StunBindingResponder responder = StunBindingResponder.start(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            client.setSoTimeout(5000);
            ByteBuffer request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0)
                    .putInt(StunDatagrams.MAGIC_COOKIE).put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            client.send(new DatagramPacket(request.array(), 20, responder.address()));
            byte[] buffer = new byte[1500];
            DatagramPacket answer = new DatagramPacket(buffer, buffer.length);
            client.receive(answer);

            ByteBuffer response = ByteBuffer.wrap(buffer, 0, answer.getLength());
            assertThat(StunDatagrams.isStun(response)).isTrue();
            assertThat(response.getShort(0)).isEqualTo((short) 0x0101);
            assertThat(Arrays.copyOfRange(buffer, 8, 20)).containsExactly(Arrays.copyOfRange(request.array(), 8, 20));
            assertThat(StunBindingRefresh.mappedAddress(response)).contains((InetSocketAddress) client.getLocalSocketAddress());
        }
    }
}
