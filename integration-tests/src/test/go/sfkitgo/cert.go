package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"time"
)

// alpn is the application protocol both sides require (spec section 6).
const alpn = "sfkit"

// newCertificate makes a certificate the way the Go peer does (spec section 6): self-signed
// RSA-2048, serial 1, an EMPTY subject (hence an empty issuer, which the JDK's parser refuses),
// the given IP SANs, no NotBefore (year 1) and valid for 24 hours.
func newCertificate(ips []net.IP) (pair tls.Certificate, certPEM, keyPEM []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return
	}
	template := x509.Certificate{
		SerialNumber: big.NewInt(1),
		IPAddresses:  ips,
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		return
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pair, err = tls.X509KeyPair(certPEM, keyPEM)
	return
}

// tlsConfig trusts exactly the peer's signalled certificate, as the Go peer does: a client puts
// it in RootCAs (quic-go then checks its IP SANs against the dialled IP, and sends no SNI for an
// IP), a server requires a client certificate verified against it.
func tlsConfig(client bool, own tls.Certificate, peerPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(peerPEM) {
		return nil, errors.New("peer certificate is not PEM")
	}
	conf := &tls.Config{Certificates: []tls.Certificate{own}, NextProtos: []string{alpn}}
	if client {
		conf.RootCAs = pool
	} else {
		conf.ClientAuth = tls.RequireAndVerifyClientCert
		conf.ClientCAs = pool
	}
	return conf, nil
}
