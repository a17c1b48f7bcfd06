// Manual interoperability check (not run by Maven): a party that talks to a signalling server
// exactly as hcholab/sfkit-proxy ice.go does (golang.org/x/net/websocket, JSON.Send/Receive).
// Build without modules from Debian's golang-golang-x-net-dev:
//   GO111MODULE=off GOPATH=/usr/share/gocode go build -o go_party go_party.go
// Run: go_party ws://127.0.0.1:PORT/api/ice STUDY KEY PID PEER_PID
// It waits at the barrier, sends a credential to PEER_PID, prints the next two messages.
package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"

	"golang.org/x/net/websocket"
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

func main() {
	api, _ := url.Parse(os.Args[1])
	study, key := os.Args[2], os.Args[3]
	// os.Args[4] (our PID) is not sent: the server derives it from the key.
	peer, _ := strconv.Atoi(os.Args[5])
	originURL := url.URL{Scheme: api.Scheme, Host: api.Host}
	cfg, err := websocket.NewConfig(api.String(), originURL.String())
	if err != nil {
		panic(err)
	}
	cfg.Header.Add("Authorization", key)
	cfg.Header.Add("X-MPC-Study-ID", study)
	fmt.Println("GO: waiting for all parties")
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		fmt.Println("GO: dial error:", err)
		os.Exit(2)
	}
	cred, _ := json.Marshal(Credential{Ufrag: "GoUfragGoUfragGo", Pwd: "GoPwdGoPwdGoPwdGoPwdGoPwdGoPwdGo"})
	if err = websocket.JSON.Send(ws, Message{StudyID: study, Type: "credential", Data: string(cred), SourcePID: 42, TargetPID: peer}); err != nil {
		panic(err)
	}
	for i := 0; i < 2; i++ {
		var msg Message
		if err = websocket.JSON.Receive(ws, &msg); err != nil {
			panic(err)
		}
		b, _ := json.Marshal(msg)
		fmt.Println("GO: received", string(b))
	}
}
