// Records signalling messages exactly as the Go sfkit-proxy marshals them (its ice.Message,
// ice.Credential and ice.Certificate structs, encoding/json), one per line, for
// SignalMessageTest. Regenerate: go run record_signals.go > ../resources/org/sfkit/proxy/signal/go-messages.jsonl
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

type Message struct {
	StudyID   string `json:"studyID"`
	Type      string `json:"type"`
	Data      string `json:"data"`
	SourcePID int    `json:"sourcePID"`
	TargetPID int    `json:"targetPID"`
}

type Credential struct {
	Ufrag string `json:"ufrag"`
	Pwd   string `json:"pwd"`
}

type Certificate struct {
	PEM   string   `json:"pem"`
	Addrs []string `json:"addrs"`
}

func emit(m Message) {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
}

func main() {
	cred, _ := json.Marshal(Credential{Ufrag: "aBcDeFgHiJkLmNoP", Pwd: "qRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuV"})
	emit(Message{StudyID: "study-1", Type: "credential", Data: string(cred), SourcePID: 1, TargetPID: 0})
	emit(Message{StudyID: "study-1", Type: "candidate",
		Data: "3262471577 1 udp 1694498815 203.0.113.7 61234 typ srflx raddr 10.128.0.5 rport 40000", SourcePID: 1, TargetPID: 0})
	emit(Message{StudyID: "study-1", Type: "candidate",
		Data: "2130706431 1 udp 2130706431 192.168.1.20 50000 typ host", SourcePID: 0, TargetPID: 2})

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	ips := []net.IP{net.ParseIP("203.0.113.7"), net.ParseIP("10.128.0.5")}
	tmpl := x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{}, IPAddresses: ips,
		NotBefore: time.Now(), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	cert, _ := json.Marshal(Certificate{PEM: certPEM, Addrs: []string{"203.0.113.7:61234", "10.128.0.5:40000"}})
	emit(Message{StudyID: "study-1", Type: "certificate", Data: string(cert), SourcePID: 2, TargetPID: 1})
	emit(Message{StudyID: "", Type: "error", Data: "Unexpected target id <5> & \"quoted\"\ttab", SourcePID: -1, TargetPID: -1})
}
