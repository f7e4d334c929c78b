package hawk

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Verifier authenticates Hawk requests on a server.
type Verifier struct {
	// Lookup returns the credentials for a key id; false means unknown.
	Lookup func(id string) (Credentials, bool)
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Skew is the allowed clock difference. Default 60 s.
	Skew time.Duration
	// Nonces, when set, rejects a nonce seen before for the same id.
	Nonces *NonceCache
}

// Verify checks r's Authorization header. When the header carries a payload
// hash, body must be the request body. It returns the artifacts (for
// [ResponseHeader]) and the matching credentials.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Artifacts, Credentials, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, Credentials{}, ErrMissing
	}
	attrs, err := parseHeader(h, requestAttrs)
	if err != nil {
		return nil, Credentials{}, err
	}
	for _, k := range []string{"id", "ts", "nonce", "mac"} {
		if attrs[k] == "" {
			return nil, Credentials{}, fmt.Errorf("%w: missing %s", ErrMalformed, k)
		}
	}
	ts, err := strconv.ParseInt(attrs["ts"], 10, 64)
	if err != nil {
		return nil, Credentials{}, fmt.Errorf("%w: ts is not a number", ErrMalformed)
	}
	c, ok := v.Lookup(attrs["id"])
	if !ok {
		return nil, Credentials{}, ErrUnknownID
	}
	a := requestArtifacts(r)
	a.TS, a.Nonce, a.Hash, a.Ext = ts, attrs["nonce"], attrs["hash"], attrs["ext"]
	if !constantEqual(mac("header", c.Key, &a), attrs["mac"]) {
		return nil, Credentials{}, ErrBadMAC
	}
	if a.Hash != "" && !constantEqual(PayloadHash(r.Header.Get("Content-Type"), body), a.Hash) {
		return nil, Credentials{}, ErrBadHash
	}
	if err := v.checkTime(ts); err != nil {
		return nil, Credentials{}, err
	}
	if v.Nonces != nil && !v.Nonces.Add(c.ID, a.Nonce, ts) {
		return nil, Credentials{}, ErrReplay
	}
	return &a, c, nil
}

func (v *Verifier) checkTime(ts int64) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew := v.Skew
	if skew <= 0 {
		skew = 60 * time.Second
	}
	d := now().Sub(time.Unix(ts, 0))
	if d > skew || d < -skew {
		return fmt.Errorf("%w: off by %s", ErrStale, d.Round(time.Second))
	}
	return nil
}

// ResponseHeader returns the Server-Authorization value for a reply to the
// request described by req, covering the body and its content type.
func ResponseHeader(c Credentials, req *Artifacts, contentType string, body []byte, ext string) string {
	a := *req
	a.Hash = PayloadHash(contentType, body)
	a.Ext = ext
	attrs := map[string]string{"mac": mac("response", c.Key, &a), "hash": a.Hash, "ext": ext}
	return formatHeader(attrs, []string{"mac", "hash", "ext"})
}

// nonceSweepAt is the cache size at which old nonces are swept.
const nonceSweepAt = 4096

// NonceCache remembers nonces for twice the allowed skew, so a captured
// request cannot be replayed. Its zero value is ready to use.
type NonceCache struct {
	mu   sync.Mutex
	seen map[string]int64 // id + "\x00" + nonce → ts
}

// Add records a nonce and reports whether it was new. Once the cache is
// large, entries more than ten minutes older than ts are swept.
func (n *NonceCache) Add(id, nonce string, ts int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = make(map[string]int64)
	}
	key := id + "\x00" + nonce
	if _, dup := n.seen[key]; dup {
		return false
	}
	if len(n.seen) >= nonceSweepAt {
		for k, t := range n.seen {
			if ts-t > 600 {
				delete(n.seen, k)
			}
		}
	}
	n.seen[key] = ts
	return true
}
