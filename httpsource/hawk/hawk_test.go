package hawk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var vectorCreds = Credentials{ID: "dh37fgj492je", Key: "werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn"}

// The published sha256 vector for a GET with ext.
func TestRequestMACVector(t *testing.T) {
	t.Parallel()
	a := &Artifacts{TS: 1353832234, Nonce: "j4h3g2", Method: "GET", Resource: "/resource/1?b=1&a=2", Host: "example.com", Port: "8000", Ext: "some-app-data"}
	require.Equal(t, "m8r1rHbXN6NgO+KIIhjO7sFRyd78RNGVUwehe8Cp2dU=", mac("header", vectorCreds.Key, a))
	require.Equal(t, "hawk.1.header\n1353832234\nj4h3g2\nGET\n/resource/1?b=1&a=2\nexample.com\n8000\n\nsome-app-data\n", normalized("header", a))
}

func TestSignThenVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1353832234, 0)
	r := httptest.NewRequest(http.MethodGet, "http://example.com:8000/resource/1?b=1&a=2", nil)
	_, err := Sign(r, vectorCreds, &SignOptions{Now: func() time.Time { return now }, Nonce: "j4h3g2", Ext: "some-app-data"})
	require.NoError(t, err)
	require.Contains(t, r.Header.Get("Authorization"), `mac="m8r1rHbXN6NgO+KIIhjO7sFRyd78RNGVUwehe8Cp2dU="`)

	v := &Verifier{Lookup: lookup(vectorCreds), Now: func() time.Time { return now.Add(30 * time.Second) }, Nonces: &NonceCache{}}
	a, c, err := v.Verify(r, nil)
	require.NoError(t, err)
	require.Equal(t, vectorCreds.ID, c.ID)
	require.Equal(t, "/resource/1?b=1&a=2", a.Resource)

	_, _, err = v.Verify(r, nil)
	require.ErrorIs(t, err, ErrReplay)
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	sign := func(c Credentials, opts *SignOptions) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://api.test/v1/items?page=2", strings.NewReader("{}"))
		if opts == nil {
			opts = &SignOptions{}
		}
		opts.Now = clock
		_, err := Sign(r, c, opts)
		require.NoError(t, err)
		return r
	}
	good := Credentials{ID: "abc", Key: "secret"}
	v := &Verifier{Lookup: lookup(good), Now: clock}

	tests := []struct {
		name string
		req  func() *http.Request
		body []byte
		want error
	}{
		{"missing header", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, nil, ErrMissing},
		{"not hawk", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer x")
			return r
		}, nil, ErrMalformed},
		{"unknown id", func() *http.Request { return sign(Credentials{ID: "zzz", Key: "secret"}, nil) }, nil, ErrUnknownID},
		{"wrong key", func() *http.Request { return sign(Credentials{ID: "abc", Key: "guess"}, nil) }, nil, ErrBadMAC},
		{"tampered path", func() *http.Request {
			r := sign(good, nil)
			r.URL.RawQuery = "page=3"
			return r
		}, nil, ErrBadMAC},
		{"payload changed", func() *http.Request {
			r := sign(good, &SignOptions{Payload: []byte(`{"a":1}`), ContentType: "application/json"})
			r.Header.Set("Content-Type", "application/json")
			return r
		}, []byte(`{"a":2}`), ErrBadHash},
		{"stale", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "http://api.test/", nil)
			_, err := Sign(r, good, &SignOptions{Now: func() time.Time { return now.Add(-2 * time.Minute) }})
			require.NoError(t, err)
			return r
		}, nil, ErrStale},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := v.Verify(tt.req(), tt.body)
			require.ErrorIs(t, err, tt.want)
			require.NotContains(t, err.Error(), "secret")
		})
	}
}

func TestTransportEndToEnd(t *testing.T) {
	t.Parallel()
	creds := Credentials{ID: "client-1", Key: "k3y"}
	srv := newPageServer(t, creds, false)
	defer srv.Close()

	client := &http.Client{Transport: &Transport{Credentials: creds}}
	resp, err := client.Get(srv.URL + "/pages?n=1")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.JSONEq(t, `{"results":[{"id":1}],"next":null}`, string(body))

	bad := &http.Client{Transport: &Transport{Credentials: Credentials{ID: "client-1", Key: "nope"}}}
	resp, err = bad.Get(srv.URL + "/pages")
	if err == nil {
		// The server refused us; the refusal itself is unsigned, so the
		// transport must not accept it either.
		resp.Body.Close()
		t.Fatalf("expected an error, got status %d", resp.StatusCode)
	}
	require.ErrorIs(t, err, ErrMissing)
}

func TestTransportDetectsTamperedResponse(t *testing.T) {
	t.Parallel()
	creds := Credentials{ID: "client-1", Key: "k3y"}
	srv := newPageServer(t, creds, true)
	defer srv.Close()
	client := &http.Client{Transport: &Transport{Credentials: creds}}
	_, err := client.Get(srv.URL + "/pages")
	require.ErrorIs(t, err, ErrBadHash)
}

func TestCredentialsRedacted(t *testing.T) {
	t.Parallel()
	c := Credentials{ID: "id1", Key: "topsecret"}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v %+v %#v", c, c, c)} {
		require.NotContains(t, s, "topsecret")
	}
}

func TestParseHeaderErrors(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		`Hawk id="a", id="b"`, `Hawk id=a`, `Hawk id="a`, `Hawk foo="x"`, `Hawk id="a\"b"`,
		"Hawk id=\"\x01\"", "Hawk " + strings.Repeat("x", maxHeaderLen),
	} {
		_, err := parseHeader(h, requestAttrs)
		require.ErrorIs(t, err, ErrMalformed, h)
	}
	got, err := parseHeader(`Hawk id="a", ts="1",nonce="n" , mac="m"`, requestAttrs)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"id": "a", "ts": "1", "nonce": "n", "mac": "m"}, got)
}

func FuzzParseHeader(f *testing.F) {
	f.Add(`Hawk id="a", ts="1", nonce="n", mac="m"`)
	f.Add(`Hawk mac="x", hash="y"`)
	f.Fuzz(func(t *testing.T, h string) {
		attrs, err := parseHeader(h, requestAttrs)
		if err != nil {
			return
		}
		// What parses must format and parse back to the same attributes.
		again, err := parseHeader(formatHeader(attrs, nil), requestAttrs)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", h, err)
		}
		require.Equal(t, nonEmpty(attrs), again)
	})
}

func nonEmpty(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

func lookup(cs ...Credentials) func(string) (Credentials, bool) {
	return func(id string) (Credentials, bool) {
		for _, c := range cs {
			if c.ID == id {
				return c, true
			}
		}
		return Credentials{}, false
	}
}

// newPageServer serves one JSON page, Hawk-authenticated both ways. With
// tamper, the body is changed after the response header was computed.
func newPageServer(t *testing.T, c Credentials, tamper bool) *httptest.Server {
	v := &Verifier{Lookup: lookup(c), Nonces: &NonceCache{}}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a, cred, err := v.Verify(r, body)
		if err != nil {
			code := http.StatusUnauthorized
			if !errors.Is(err, ErrMissing) && !errors.Is(err, ErrBadMAC) {
				code = http.StatusBadRequest
			}
			http.Error(w, err.Error(), code)
			return
		}
		page := []byte(`{"results":[{"id":1}],"next":null}`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Server-Authorization", ResponseHeader(cred, a, "application/json", page, ""))
		if tamper {
			page = bytes.Replace(page, []byte("1"), []byte("2"), 1)
		}
		_, _ = w.Write(page)
	}))
}
