package testutil

import (
	"bytes"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// Listener is a TCP listener on loopback that accepts and closes every
// connection, counting them: a test points a URL at Addr and checks that
// nothing (or something) connected.
type Listener struct {
	// Addr is host:port to connect to.
	Addr    string
	accepts atomic.Int32
}

// Accepts returns the number of connections accepted so far.
func (l *Listener) Accepts() int32 { return l.accepts.Load() }

// CountingListener starts a Listener that stops when the test ends.
func CountingListener(t testing.TB) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	l := &Listener{Addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepts.Add(1)
			c.Close()
		}
	}()
	return l
}

// RequireNotInFiles fails the test when any file below dir contains
// secret, naming the file.
func RequireNotInFiles(t testing.TB, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the secret is in %s", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
