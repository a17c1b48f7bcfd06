package main

import (
	"net"
	"sync"
	"time"
)

// demux splits one UDP socket between ICE and QUIC (spec section 5): a datagram whose first two
// bits are 00 is STUN, anything else QUIC. Both halves write to the socket directly.
type demux struct {
	socket *net.UDPConn
	stun   *halfConn
	quic   *halfConn
}

type datagram struct {
	data []byte
	from net.Addr
}

// halfConn is one side of the split, as a net.PacketConn for pion's UDP mux or quic-go.
type halfConn struct {
	socket *net.UDPConn
	queue  chan datagram
	done   chan struct{}
	once   sync.Once
}

// queueLength bounds what one side holds when its reader is slow; quic-go reads continuously.
const queueLength = 1024

func newDemux(socket *net.UDPConn) *demux {
	d := &demux{socket: socket, stun: newHalf(socket), quic: newHalf(socket)}
	go d.read()
	return d
}

func newHalf(socket *net.UDPConn) *halfConn {
	return &halfConn{socket: socket, queue: make(chan datagram, queueLength), done: make(chan struct{})}
}

func (d *demux) read() {
	buf := make([]byte, 65536) // a whole datagram: QUIC must never see a truncated one
	for {
		n, from, err := d.socket.ReadFrom(buf)
		if err != nil {
			d.stun.Close()
			d.quic.Close()
			return
		}
		if n == 0 {
			continue
		}
		target := d.quic
		if buf[0]&0xc0 == 0 {
			target = d.stun
		}
		packet := datagram{append([]byte(nil), buf[:n]...), from}
		select {
		case target.queue <- packet:
		default: // the side is not reading: drop, as a full socket buffer would
		}
	}
}

func (d *demux) Close() error {
	return d.socket.Close()
}

func (h *halfConn) ReadFrom(p []byte) (int, net.Addr, error) {
	select {
	case packet := <-h.queue:
		return copy(p, packet.data), packet.from, nil
	case <-h.done:
		return 0, nil, net.ErrClosed
	}
}

func (h *halfConn) WriteTo(p []byte, to net.Addr) (int, error) {
	return h.socket.WriteTo(p, to)
}

// Close ends this side only; the socket lives until the demux is closed.
func (h *halfConn) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

func (h *halfConn) LocalAddr() net.Addr                { return h.socket.LocalAddr() }
func (h *halfConn) SetDeadline(t time.Time) error      { return nil }
func (h *halfConn) SetReadDeadline(t time.Time) error  { return nil }
func (h *halfConn) SetWriteDeadline(t time.Time) error { return nil }
