package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lucas-clemente/quic-go"
)

// quicConfig holds the Go peer's settings (spec section 6).
func quicConfig() *quic.Config {
	return &quic.Config{
		HandshakeIdleTimeout: 30 * time.Second,
		KeepAlivePeriod:      15 * time.Second,
		MaxIdleTimeout:       24 * time.Hour,
	}
}

// link is the current QUIC connection to one peer, or none yet.
type link struct {
	pid  int
	mu   sync.Mutex
	cond *sync.Cond
	conn quic.Connection
}

func newLink(pid int) *link {
	l := &link{pid: pid}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// attach makes conn the link's connection and answers the streams the peer opens on it.
func (l *link) attach(conn quic.Connection) {
	l.mu.Lock()
	l.conn = conn
	l.cond.Broadcast()
	l.mu.Unlock()
	ready("CONNECTED %d %s", l.pid, conn.RemoteAddr())
	go func() {
		for {
			stream, err := conn.AcceptStream(context.Background())
			if err != nil {
				log.Printf("peer %d: connection ended: %v", l.pid, err)
				return
			}
			go answer(stream, l.pid)
		}
	}()
}

func (l *link) connection() quic.Connection {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.conn == nil {
		l.cond.Wait()
	}
	return l.conn
}

// answer reads the 2-byte big-endian port header and connects to 127.0.0.1:port (spec section 7).
func answer(stream quic.Stream, pid int) {
	var header [2]byte
	if _, err := io.ReadFull(stream, header[:]); err != nil {
		log.Printf("peer %d: stream without a port header: %v", pid, err)
		stream.CancelRead(0)
		stream.Close()
		return
	}
	port := binary.BigEndian.Uint16(header[:])
	tcp, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))))
	if err != nil {
		log.Printf("peer %d: connect to local port %d: %v", pid, port, err)
		stream.CancelRead(0)
		stream.CancelWrite(0)
		return
	}
	log.Printf("peer %d: stream connected to local port %d", pid, port)
	splice(tcp.(*net.TCPConn), stream)
}

// forward is one -forward rule: a local TCP listener whose connections go to a port on a peer.
type forward struct {
	local, remote, pid int
}

// parseForward reads "LPORT=RPORT" (static mode: the one peer) or "PID:LPORT=RPORT".
func parseForward(s string, defaultPID int) (forward, error) {
	f := forward{pid: defaultPID}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		pid, err := strconv.Atoi(s[:i])
		if err != nil {
			return f, fmt.Errorf("forward %q: %v", s, err)
		}
		f.pid, s = pid, s[i+1:]
	}
	parts := strings.SplitN(s, "=", 2)
	if len(parts) != 2 {
		return f, fmt.Errorf("forward %q: want [PID:]LPORT=RPORT", s)
	}
	var err error
	if f.local, err = strconv.Atoi(parts[0]); err == nil {
		f.remote, err = strconv.Atoi(parts[1])
	}
	return f, err
}

// serve accepts TCP on 127.0.0.1:local and opens a stream with the port header for each one.
func (f forward) serve(l *link) error {
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(f.local)))
	if err != nil {
		return err
	}
	ready("FORWARD %d %d %d", listener.Addr().(*net.TCPAddr).Port, f.pid, f.remote)
	go func() {
		for {
			tcp, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				stream, err := l.connection().OpenStreamSync(context.Background())
				if err != nil {
					log.Printf("peer %d: open stream: %v", f.pid, err)
					tcp.Close()
					return
				}
				var header [2]byte
				binary.BigEndian.PutUint16(header[:], uint16(f.remote))
				if _, err := stream.Write(header[:]); err != nil {
					tcp.Close()
					stream.CancelWrite(0)
					return
				}
				splice(tcp.(*net.TCPConn), stream)
			}()
		}
	}()
	return nil
}

// splice copies both ways; an end of input on one side is a half-close (FIN) on the other.
func splice(tcp *net.TCPConn, stream quic.Stream) {
	done := make(chan struct{})
	go func() {
		io.Copy(stream, tcp)
		stream.Close() // FIN on our write side only
		close(done)
	}()
	io.Copy(tcp, stream)
	tcp.CloseWrite()
	<-done
	tcp.Close()
}
