package main

import (
	"flag"
	"log"
	"net"

	"github.com/pion/stun"
)

// runStun answers STUN Binding requests with the sender's address (RFC 5389 section 10.1.2),
// so tests never need a public STUN server.
func runStun(args []string) error {
	flags := flag.NewFlagSet("stun", flag.ExitOnError)
	listen := flags.String("listen", "127.0.0.1:0", "UDP address to answer on")
	flags.Parse(args)
	addr, err := net.ResolveUDPAddr("udp4", *listen)
	if err != nil {
		return err
	}
	socket, err := net.ListenUDP("udp4", addr)
	if err != nil {
		return err
	}
	ready("STUN %s", socket.LocalAddr())
	buf := make([]byte, 1500)
	for {
		n, from, err := socket.ReadFromUDP(buf)
		if err != nil {
			return err
		}
		request := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if request.Decode() != nil || request.Type != stun.BindingRequest {
			continue
		}
		response, err := stun.Build(stun.NewTransactionIDSetter(request.TransactionID), stun.BindingSuccess,
			&stun.XORMappedAddress{IP: from.IP, Port: from.Port}, stun.Fingerprint)
		if err != nil {
			log.Printf("stun: %v", err)
			continue
		}
		socket.WriteToUDP(response.Raw, from)
	}
}
