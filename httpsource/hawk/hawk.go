// Package hawk implements the parts of the Hawk HTTP authentication scheme
// (hawk.1, HMAC-SHA256) that data-flow's API fetch needs: signing a request,
// verifying a request on the server, and the Server-Authorization header that
// authenticates a response and its payload.
//
// The module proxy does not serve an existing Go Hawk library, so this is a
// small implementation of the published scheme, checked against its test
// vectors. Only sha256 is supported; bewit (URL) authentication is not.
package hawk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Credentials are a Hawk key id and its shared secret.
type Credentials struct {
	// ID is the key id sent in the clear.
	ID string
	// Key is the shared secret; it is never sent and never printed.
	Key string
}

// String hides the key, so credentials can be logged or wrapped in errors.
func (c Credentials) String() string {
	return fmt.Sprintf("hawk.Credentials{ID:%q, Key:<redacted>}", c.ID)
}

// GoString hides the key from %#v as well.
func (c Credentials) GoString() string { return c.String() }

// Artifacts are the values a MAC covers.
type Artifacts struct {
	TS       int64
	Nonce    string
	Method   string
	Resource string // path and query, as sent on the request line
	Host     string
	Port     string
	Hash     string // payload hash, "" when the payload is not covered
	Ext      string
}

// Errors returned by verification. Each is wrapped with detail; match with errors.Is.
var (
	// ErrMissing means the request or response carries no Hawk header.
	ErrMissing = errors.New("hawk: missing authorization header")
	// ErrMalformed means the header could not be parsed.
	ErrMalformed = errors.New("hawk: malformed header")
	// ErrUnknownID means the key id is not known to the server.
	ErrUnknownID = errors.New("hawk: unknown credentials id")
	// ErrBadMAC means the MAC does not match: wrong key or tampered request.
	ErrBadMAC = errors.New("hawk: bad mac")
	// ErrBadHash means the payload does not match its hash.
	ErrBadHash = errors.New("hawk: bad payload hash")
	// ErrStale means the timestamp is outside the allowed skew.
	ErrStale = errors.New("hawk: stale timestamp")
	// ErrReplay means the nonce was already used.
	ErrReplay = errors.New("hawk: replayed nonce")
)

// normalized builds the string a MAC is computed over.
func normalized(kind string, a *Artifacts) string {
	var b strings.Builder
	b.WriteString("hawk.1.")
	b.WriteString(kind)
	b.WriteByte('\n')
	for _, s := range []string{strconv.FormatInt(a.TS, 10), a.Nonce, strings.ToUpper(a.Method), a.Resource, strings.ToLower(a.Host), a.Port, a.Hash} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	b.WriteString(escapeExt(a.Ext))
	b.WriteByte('\n')
	return b.String()
}

// escapeExt escapes backslashes and newlines in ext, as the scheme requires.
func escapeExt(ext string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(ext)
}

// mac returns base64(HMAC-SHA256(key, normalized string)).
func mac(kind string, key string, a *Artifacts) string {
	h := hmac.New(sha256.New, []byte(key))
	h.Write([]byte(normalized(kind, a)))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// PayloadHash returns the Hawk hash of a payload with its content type
// (parameters such as charset are dropped, as the scheme says).
func PayloadHash(contentType string, payload []byte) string {
	h := sha256.New()
	h.Write([]byte("hawk.1.payload\n"))
	h.Write([]byte(baseContentType(contentType)))
	h.Write([]byte("\n"))
	h.Write(payload)
	h.Write([]byte("\n"))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func baseContentType(ct string) string {
	if ct == "" {
		return ""
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
}

// requestArtifacts fills method, resource, host and port from a request.
// Host and port come from the Host header (r.Host) for server-side requests
// and from the URL for client requests; the default port follows the scheme.
func requestArtifacts(r *http.Request) Artifacts {
	host := r.Host
	if host == "" && r.URL != nil {
		host = r.URL.Host
	}
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h = host
		port = "80"
		if (r.URL != nil && r.URL.Scheme == "https") || r.TLS != nil {
			port = "443"
		}
	}
	return Artifacts{Method: r.Method, Resource: r.URL.RequestURI(), Host: h, Port: port}
}

// constantEqual compares two MACs or hashes in constant time.
func constantEqual(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}
