package pgstage

import (
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// stallProxy forwards one TCP connection to a server; once stalled it
// stops reading what the client sends (a server that does not read), until
// released.
type stallProxy struct {
	ln      net.Listener
	stalled chan struct{} // closed: stop reading from the client
	release chan struct{} // closed: read again
	once    sync.Once
}

// newStallProxy listens on a free local port and forwards to target.
func newStallProxy(t *testing.T, target string) *stallProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &stallProxy{ln: ln, stalled: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { p.free(); ln.Close() })
	go func() {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", target)
		if err != nil {
			client.Close()
			return
		}
		go func() { _, _ = io.Copy(client, server); client.Close() }()
		buf := make([]byte, 32<<10)
		for {
			select {
			case <-p.stalled:
				<-p.release
			default:
			}
			n, err := client.Read(buf)
			if n > 0 {
				if _, werr := server.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		server.Close()
	}()
	return p
}

// stall stops forwarding the client's bytes.
func (p *stallProxy) stall() { close(p.stalled) }

// free forwards again.
func (p *stallProxy) free() { p.once.Do(func() { close(p.release) }) }

// TestAbortLongStalledServer: Abort ends a COPY kept open even when the
// server stops reading it (pgx blocked writing to the socket, not waiting
// for rows): after abortWait it cancels the COPY's context, which
// interrupts the connection, and returns.
func TestAbortLongStalledServer(t *testing.T) {
	defer func(old time.Duration) { abortWait = old }(abortWait)
	abortWait = 200 * time.Millisecond
	ctx := context.Background()
	u, err := url.Parse(testutil.PostgresURL(t))
	require.NoError(t, err)
	p := newStallProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	c, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer c.Close(context.Background())

	o := Options{Table: "stalled", Columns: []Column{{Name: "id", Type: "bigint"}, {Name: "name", Type: "text"}},
		Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}}
	r, err := Begin(ctx, Direct(c), o)
	require.NoError(t, err)
	require.NoError(t, r.Write(ctx, []frictionless.Row{{int64(1), "a"}}))
	require.NotNil(t, r.long, "the staging table takes one COPY")
	p.stall()
	name := strings.Repeat("x", 1000)
	var rows []frictionless.Row
	for i := range 40_000 { // 40 MB: more than the sockets buffer
		rows = append(rows, frictionless.Row{int64(i + 2), name})
	}
	require.NoError(t, r.Write(ctx, rows), "the Write hands its rows over")
	time.Sleep(100 * time.Millisecond) // pgx now blocks writing to the socket

	aborted := make(chan error, 1)
	go func() { aborted <- r.Abort() }()
	select {
	case err := <-aborted:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		p.free()
		t.Fatal("Abort waited for a server that does not read")
	}
	require.True(t, c.IsClosed(), "the interrupted connection is closed (the server rolls back when it goes)")
}
