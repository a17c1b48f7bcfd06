// Command sfkitgo is a small sfkit party written against the Go peer's own libraries (pion/ice v2,
// quic-go 0.29, as Debian packages them), so that our Java proxy can be tested against the wire
// protocol as the original Go sfkit-proxy speaks it (shared/spec/wire-protocol.md). It is a test
// tool, not a product: one process is one party, logs go to stderr, and the few lines a test
// waits for go to stdout.
//
//	sfkitgo gencert -cert FILE -key FILE [-ip 127.0.0.1]
//	sfkitgo stun   -listen 127.0.0.1:0
//	sfkitgo static -pid P -peer N=host:port -peer-cert FILE [-listen 127.0.0.1:0] [-forward LPORT=RPORT]
//	sfkitgo signal -api ws://.../api/ice -study S -pid P -auth-key K -stun stun:h:p -peers 0,1 [-forward N:LPORT=RPORT]
package main

import (
	"fmt"
	"log"
	"os"
)

func main() {
	log.SetOutput(os.Stderr)
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "stun":
		err = runStun(os.Args[2:])
	case "gencert":
		err = runGenCert(os.Args[2:])
	case "static":
		err = runStatic(os.Args[2:])
	case "signal":
		err = runSignal(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		log.Printf("fatal: %v", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: sfkitgo gencert|stun|static|signal [flags]")
	os.Exit(2)
}

// ready prints one line a test waits for; stdout carries nothing else.
func ready(format string, args ...interface{}) {
	fmt.Printf(format+"\n", args...)
}
