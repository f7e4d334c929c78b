package hawk

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// SignOptions tune [Sign]. A nil *SignOptions uses the defaults.
type SignOptions struct {
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Nonce is the request nonce. Default: 9 random bytes, base64url.
	Nonce string
	// Ext is application data covered by the MAC. Default empty.
	Ext string
	// Payload, when non-nil, is hashed into the MAC with ContentType.
	// Default: the payload is not covered (as data-flow's GETs do).
	Payload []byte
	// ContentType of Payload.
	ContentType string
}

// Sign sets r's Authorization header and returns the artifacts, which
// [VerifyResponse] needs to check the reply.
func Sign(r *http.Request, c Credentials, opts *SignOptions) (*Artifacts, error) {
	if opts == nil {
		opts = &SignOptions{}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	nonce := opts.Nonce
	if nonce == "" {
		var b [9]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("hawk: nonce: %w", err)
		}
		nonce = base64.RawURLEncoding.EncodeToString(b[:])
	}
	if !validValue(nonce) || !validValue(c.ID) || !validValue(opts.Ext) {
		return nil, fmt.Errorf("%w: id, nonce and ext must be printable ASCII without quotes or backslashes", ErrMalformed)
	}
	a := requestArtifacts(r)
	a.TS = now().Unix()
	a.Nonce = nonce
	a.Ext = opts.Ext
	if opts.Payload != nil {
		a.Hash = PayloadHash(opts.ContentType, opts.Payload)
	}
	attrs := map[string]string{
		"id": c.ID, "ts": strconv.FormatInt(a.TS, 10), "nonce": a.Nonce,
		"hash": a.Hash, "ext": a.Ext, "mac": mac("header", c.Key, &a),
	}
	r.Header.Set("Authorization", formatHeader(attrs, []string{"id", "ts", "nonce", "hash", "ext", "mac"}))
	return &a, nil
}

// VerifyResponse checks a Server-Authorization header against the request's
// artifacts. When the header carries a hash, the body and its content type
// must match it; when requireHash is true, a header without a hash fails.
func VerifyResponse(header string, c Credentials, req *Artifacts, contentType string, body []byte, requireHash bool) error {
	if header == "" {
		return ErrMissing
	}
	attrs, err := parseHeader(header, responseAttrs)
	if err != nil {
		return err
	}
	a := *req
	a.Hash = attrs["hash"]
	a.Ext = attrs["ext"]
	if !constantEqual(mac("response", c.Key, &a), attrs["mac"]) {
		return fmt.Errorf("%w: response", ErrBadMAC)
	}
	if a.Hash == "" {
		if requireHash {
			return fmt.Errorf("%w: response has no payload hash", ErrBadHash)
		}
		return nil
	}
	if !constantEqual(PayloadHash(contentType, body), a.Hash) {
		return fmt.Errorf("%w: response payload", ErrBadHash)
	}
	return nil
}

// Transport is an http.RoundTripper that signs every request and verifies
// every response's Server-Authorization header and payload hash. It reads
// each response body into memory (at most MaxBody bytes), so use it for API
// pages, not bulk downloads.
type Transport struct {
	// Credentials sign the requests.
	Credentials Credentials
	// Base performs the request. Default http.DefaultTransport.
	Base http.RoundTripper
	// MaxBody bounds a response body. Default 64 MiB.
	MaxBody int64
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// PassErrors returns responses whose status is not 2xx unverified, so
	// the caller sees a 429's Retry-After or a 5xx (as data-flow checks the
	// status before the signature); their bodies are not authenticated and
	// must not be taken as data. Default false: every response must be
	// signed, refusals included.
	PassErrors bool
}

// RoundTrip signs req, sends it and authenticates the reply.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	a, err := Sign(req, t.Credentials, &SignOptions{Now: t.Now})
	if err != nil {
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if t.PassErrors && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		return resp, nil
	}
	limit := t.MaxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("hawk: read response: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("hawk: response body larger than %d bytes", limit)
	}
	if err := VerifyResponse(resp.Header.Get("Server-Authorization"), t.Credentials, a, resp.Header.Get("Content-Type"), body, true); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}
