package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
	"github.com/lucas-clemente/quic-go"
	"github.com/pion/ice/v2"
)

// message is one signalling frame with exactly the five keys of spec section 3, in the Go
// peer's order.
type message struct {
	StudyID   string `json:"studyID"`
	Type      string `json:"type"`
	Data      string `json:"data"`
	SourcePID int    `json:"sourcePID"`
	TargetPID int    `json:"targetPID"`
}

type credential struct {
	Ufrag string `json:"ufrag"`
	Pwd   string `json:"pwd"`
}

type certificate struct {
	PEM   string   `json:"pem"`
	Addrs []string `json:"addrs"`
}

// signaller is our end of the /api/ice WebSocket: one writer at a time, and a reader that hands
// each message to the session of the peer that sent it.
type signaller struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
	study   string
	pid     int
	inbox   map[int]chan message
}

func (s *signaller) send(kind string, target int, data string) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// sourcePID and studyID are not authoritative (the server overwrites them), but sent as Go does.
	err := s.ws.WriteJSON(message{StudyID: s.study, Type: kind, Data: data, SourcePID: s.pid, TargetPID: target})
	if err != nil {
		log.Printf("signalling send %s to %d: %v", kind, target, err)
	}
}

func (s *signaller) receive() {
	for {
		var m message
		if err := s.ws.ReadJSON(&m); err != nil {
			log.Printf("signalling closed: %v", err)
			return
		}
		if m.Type == "error" {
			log.Printf("signalling error: %s", m.Data)
			continue
		}
		inbox, ok := s.inbox[m.SourcePID]
		if !ok {
			log.Printf("signalling message from party %d, not a peer; dropped", m.SourcePID)
			continue
		}
		inbox <- m
	}
}

// runSignal finds its peers through the signalling server and ICE, then runs QUIC over the
// selected pair on the same UDP socket, as the Go peer does (spec sections 3, 5, 6).
func runSignal(args []string) error {
	flags := flag.NewFlagSet("signal", flag.ExitOnError)
	api := flags.String("api", "", "signalling WebSocket URL")
	study := flags.String("study", "", "study id")
	pid := flags.Int("pid", 0, "own party id")
	authKey := flags.String("auth-key", "", "Authorization header value")
	stunURIs := flags.String("stun", "", "comma-separated stun:host:port")
	peers := flags.String("peers", "", "comma-separated peer party ids")
	udpHost := flags.String("udp-host", "127.0.0.1", "IP each peer's UDP socket binds")
	host := flags.Bool("host", false, "also gather host candidates (the Go peer sends only srflx)")
	var forwards []string
	flags.Func("forward", "PID:LPORT=RPORT; repeatable", func(s string) error { forwards = append(forwards, s); return nil })
	flags.Parse(args)

	apiURL, err := url.Parse(*api)
	if err != nil {
		return err
	}
	header := http.Header{}
	header.Set("Origin", (&url.URL{Scheme: apiURL.Scheme, Host: apiURL.Host}).String())
	header.Set("Authorization", *authKey)
	header.Set("X-MPC-Study-ID", *study)
	var urls []*ice.URL
	for _, raw := range strings.Split(*stunURIs, ",") {
		if raw == "" {
			continue
		}
		u, err := ice.ParseURL(raw)
		if err != nil {
			return err
		}
		urls = append(urls, u)
	}
	s := &signaller{study: *study, pid: *pid, inbox: map[int]chan message{}}
	links := map[int]*link{}
	for _, p := range strings.Split(*peers, ",") {
		peer, err := strconv.Atoi(p)
		if err != nil {
			return fmt.Errorf("-peers: %v", err)
		}
		s.inbox[peer] = make(chan message, 64)
		links[peer] = newLink(peer)
	}
	for _, raw := range forwards {
		f, err := parseForward(raw, -1)
		if err != nil {
			return err
		}
		if links[f.pid] == nil {
			return fmt.Errorf("forward %q: party %d is not in -peers", raw, f.pid)
		}
		if err = f.serve(links[f.pid]); err != nil {
			return err
		}
	}
	// The website answers the upgrade only once every party is connected: no timeout here.
	dialer := websocket.Dialer{}
	ws, response, err := dialer.Dial(*api, header)
	if err != nil {
		if response != nil {
			return fmt.Errorf("signalling rejected: %s", response.Status)
		}
		return err
	}
	s.ws = ws
	ready("SIGNALLING %s", *api)
	errs := make(chan error, len(links))
	for peer, l := range links {
		go func(peer int, l *link) { errs <- s.connectPeer(peer, l, urls, *udpHost, *host) }(peer, l)
	}
	go s.receive()
	return <-errs
}

// connectPeer runs ICE with one peer on a new UDP socket, exchanges certificates, and connects
// QUIC on the same socket: the higher PID is ICE-controlling and the QUIC client.
func (s *signaller) connectPeer(peer int, l *link, urls []*ice.URL, udpHost string, host bool) error {
	socket, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(udpHost)})
	if err != nil {
		return err
	}
	d := newDemux(socket)
	mux := ice.NewUniversalUDPMuxDefault(ice.UniversalUDPMuxParams{UDPConn: d.stun})
	types := []ice.CandidateType{ice.CandidateTypeServerReflexive}
	if host {
		types = append(types, ice.CandidateTypeHost)
	}
	agent, err := ice.NewAgent(&ice.AgentConfig{
		Urls:           urls,
		NetworkTypes:   []ice.NetworkType{ice.NetworkTypeUDP4},
		CandidateTypes: types,
		UDPMux:         mux,
		UDPMuxSrflx:    mux,
	})
	if err != nil {
		return err
	}
	if err = agent.OnCandidate(func(c ice.Candidate) {
		if c != nil {
			s.send("candidate", peer, c.Marshal())
		}
	}); err != nil {
		return err
	}
	ufrag, pwd, err := agent.GetLocalUserCredentials()
	if err != nil {
		return err
	}
	own, _ := json.Marshal(credential{Ufrag: ufrag, Pwd: pwd})
	s.send("credential", peer, string(own))
	if err = agent.GatherCandidates(); err != nil {
		return err
	}

	controlling := s.pid > peer
	iceConns := make(chan *ice.Conn, 1)
	certs := make(chan certificate, 8)
	go func() {
		for m := range s.inbox[peer] {
			switch m.Type {
			case "candidate":
				c, err := ice.UnmarshalCandidate(m.Data)
				if err == nil {
					err = agent.AddRemoteCandidate(c)
				}
				if err != nil {
					log.Printf("peer %d: candidate %q: %v", peer, m.Data, err)
				}
			case "credential":
				var cred credential
				if err := json.Unmarshal([]byte(m.Data), &cred); err != nil {
					log.Printf("peer %d: credential: %v", peer, err)
					continue
				}
				go func() {
					connect := agent.Accept
					if controlling {
						connect = agent.Dial
					}
					conn, err := connect(context.Background(), cred.Ufrag, cred.Pwd)
					if err != nil {
						log.Printf("peer %d: ICE: %v", peer, err)
						return
					}
					iceConns <- conn
				}()
			case "certificate":
				var c certificate
				if err := json.Unmarshal([]byte(m.Data), &c); err != nil {
					log.Printf("peer %d: certificate: %v", peer, err)
					continue
				}
				certs <- c
			default:
				log.Printf("peer %d: unknown message type %q", peer, m.Type)
			}
		}
	}()

	iceConn := <-iceConns
	remote := iceConn.RemoteAddr().(*net.UDPAddr)
	ready("ICE %d %s %s", peer, iceConn.LocalAddr(), remote)
	ownCert, err := s.sendCertificate(agent, peer)
	if err != nil {
		return err
	}
	// The Go peer starts QUIC only with a certificate whose addrs hold the address ICE selected.
	var peerCert certificate
	for peerCert = range certs {
		if contains(peerCert.Addrs, remote.String()) {
			break
		}
		log.Printf("peer %d: certificate addrs %v lack the selected %s; waiting", peer, peerCert.Addrs, remote)
	}
	conf, err := tlsConfig(controlling, ownCert, []byte(peerCert.PEM))
	if err != nil {
		return err
	}
	if controlling {
		conn, err := quic.Dial(d.quic, remote, remote.IP.String(), conf, quicConfig())
		if err != nil {
			return fmt.Errorf("peer %d: QUIC dial: %v", peer, err)
		}
		l.attach(conn)
		<-conn.Context().Done()
		return fmt.Errorf("peer %d: QUIC connection closed", peer)
	}
	listener, err := quic.Listen(d.quic, conf, quicConfig())
	if err != nil {
		return err
	}
	for {
		conn, err := listener.Accept(context.Background())
		if err != nil {
			return err
		}
		l.attach(conn)
	}
}

// sendCertificate makes our certificate for every local candidate and related IP and signals it
// with those addresses (spec section 6).
func (s *signaller) sendCertificate(agent *ice.Agent, peer int) (tlsCert tls.Certificate, err error) {
	candidates, err := agent.GetLocalCandidates()
	if err != nil {
		return
	}
	var ips []net.IP
	var addrs []string
	seen := map[string]bool{}
	add := func(ip string, port int) {
		addr := net.JoinHostPort(ip, strconv.Itoa(port))
		if !seen[addr] {
			seen[addr] = true
			addrs = append(addrs, addr)
			ips = append(ips, net.ParseIP(ip))
		}
	}
	for _, c := range candidates {
		add(c.Address(), c.Port())
		if r := c.RelatedAddress(); r != nil {
			add(r.Address, r.Port)
		}
	}
	var certPEM []byte
	tlsCert, certPEM, _, err = newCertificate(ips)
	if err != nil {
		return
	}
	data, _ := json.Marshal(certificate{PEM: string(certPEM), Addrs: addrs})
	s.send("certificate", peer, string(data))
	return
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
