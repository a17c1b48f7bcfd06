package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lucas-clemente/quic-go"
)

// runGenCert writes a certificate made the Go peer's way and its key, as PEM files.
func runGenCert(args []string) error {
	flags := flag.NewFlagSet("gencert", flag.ExitOnError)
	certFile := flags.String("cert", "", "certificate output (PEM)")
	keyFile := flags.String("key", "", "private key output (PEM)")
	ip := flags.String("ip", "127.0.0.1", "IP SAN")
	flags.Parse(args)
	_, certPEM, keyPEM, err := newCertificate([]net.IP{net.ParseIP(*ip)})
	if err != nil {
		return err
	}
	if err = os.WriteFile(*certFile, certPEM, 0o644); err == nil {
		err = os.WriteFile(*keyFile, keyPEM, 0o600)
	}
	return err
}

// runStatic connects to one peer whose address and certificate are given (no signalling, no
// ICE): the QUIC, TLS and port-header half of the protocol alone. The higher PID dials.
func runStatic(args []string) error {
	flags := flag.NewFlagSet("static", flag.ExitOnError)
	pid := flags.Int("pid", 0, "own party id")
	peer := flags.String("peer", "", "N=host:port of the peer (its address matters only when N < pid)")
	peerCert := flags.String("peer-cert", "", "the peer's certificate (PEM), pinned")
	certFile := flags.String("cert", "", "own certificate (PEM)")
	keyFile := flags.String("key", "", "own private key (PEM)")
	listen := flags.String("listen", "127.0.0.1:0", "own UDP address")
	var forwards []string
	flags.Func("forward", "LPORT=RPORT: local TCP port (0 = any) tunnelled to RPORT on the peer; repeatable",
		func(s string) error { forwards = append(forwards, s); return nil })
	flags.Parse(args)

	parts := strings.SplitN(*peer, "=", 2)
	if len(parts) != 2 {
		return errors.New("-peer wants N=host:port")
	}
	peerPID, err := strconv.Atoi(parts[0])
	if err != nil {
		return err
	}
	own, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		return err
	}
	peerPEM, err := os.ReadFile(*peerCert)
	if err != nil {
		return err
	}
	client := *pid > peerPID
	conf, err := tlsConfig(client, own, peerPEM)
	if err != nil {
		return err
	}
	local, err := net.ResolveUDPAddr("udp4", *listen)
	if err != nil {
		return err
	}
	socket, err := net.ListenUDP("udp4", local)
	if err != nil {
		return err
	}
	l := newLink(peerPID)
	for _, s := range forwards {
		f, err := parseForward(s, peerPID)
		if err != nil {
			return err
		}
		if err = f.serve(l); err != nil {
			return err
		}
	}
	if !client {
		listener, err := quic.Listen(socket, conf, quicConfig())
		if err != nil {
			return err
		}
		ready("QUIC %s", socket.LocalAddr())
		for {
			conn, err := listener.Accept(context.Background())
			if err != nil {
				return err
			}
			l.attach(conn)
		}
	}
	remote, err := net.ResolveUDPAddr("udp4", parts[1])
	if err != nil {
		return err
	}
	ready("QUIC %s", socket.LocalAddr())
	for {
		// host = the peer's IP: quic-go checks the certificate's IP SANs and sends no SNI.
		conn, err := quic.Dial(socket, remote, remote.IP.String(), conf, quicConfig())
		if err != nil {
			log.Printf("dial %s: %v; retrying", remote, err)
			time.Sleep(500 * time.Millisecond)
			continue
		}
		l.attach(conn)
		<-conn.Context().Done()
		log.Printf("connection to %s closed; redialling", remote)
	}
}
