package httpsource_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/httpsource"
	"github.com/stretchr/testify/require"
)

// collectIDs reads every page and returns the record ids in order.
func collectIDs(t *testing.T, src *httpsource.Source) ([]int, int, error) {
	t.Helper()
	var ids []int
	pages := 0
	for p, err := range src.Pages(context.Background()) {
		if err != nil {
			return ids, pages, err
		}
		pages++
		require.Equal(t, pages, p.Number)
		for _, r := range p.Records {
			n, err := r["id"].(json.Number).Int64()
			require.NoError(t, err)
			ids = append(ids, int(n))
		}
	}
	return ids, pages, nil
}

func seq(n int) []int {
	if n == 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestPaginationStyles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		style   string
		opts    httpsource.Options
		n, size int
		pages   int
	}{
		{"next", httpsource.Options{}, 23, 5, 5},
		{"next", httpsource.Options{}, 0, 5, 1},
		{"page", httpsource.Options{Pagination: httpsource.PageNumber{SizeParam: "page_size", Size: 5}}, 23, 5, 5},
		{"page", httpsource.Options{Pagination: httpsource.PageNumber{}}, 20, 5, 5}, // ends at the empty page
		{"offset", httpsource.Options{Pagination: httpsource.OffsetLimit{Limit: 5}}, 23, 5, 5},
		{"offset", httpsource.Options{Pagination: httpsource.OffsetLimit{Limit: 5}}, 20, 5, 5},
		{"cursor", httpsource.Options{Pagination: httpsource.Cursor{Field: "meta.next_cursor"}, Records: "data"}, 23, 5, 5},
		{"link", httpsource.Options{Pagination: httpsource.LinkHeader{}, Records: "$"}, 23, 5, 5},
	} {
		t.Run(fmt.Sprintf("%s-%d", tt.style, tt.n), func(t *testing.T) {
			t.Parallel()
			api := &testAPI{n: tt.n, size: tt.size, style: tt.style}
			srv := api.start(t)
			src, err := httpsource.New(srv.URL+"/items", &tt.opts)
			require.NoError(t, err)
			ids, pages, err := collectIDs(t, src)
			require.NoError(t, err)
			require.Equal(t, seq(tt.n), ids)
			require.Equal(t, tt.pages, pages)
		})
	}
}

// token is the secret every auth test uses; no error may contain it.
const token = "s3cr3t-t0ken-value"

func TestAuthSchemes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		auth  httpsource.Auth
		wrong httpsource.Auth
		check func(r *http.Request) bool
	}{
		{"bearer", httpsource.Bearer{Token: token}, httpsource.Bearer{Token: "nope"},
			func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+token }},
		{"basic", httpsource.Basic{Username: "u", Password: token}, httpsource.Basic{Username: "u", Password: "nope"},
			func(r *http.Request) bool { u, p, ok := r.BasicAuth(); return ok && u == "u" && p == token }},
		{"apikey", httpsource.APIKey{Key: token}, httpsource.APIKey{Header: "X-Other", Key: token},
			func(r *http.Request) bool { return r.Header.Get("X-API-Key") == token }},
		{"apikey-header", httpsource.APIKey{Header: "X-Token", Key: token}, httpsource.APIKey{Key: token},
			func(r *http.Request) bool { return r.Header.Get("X-Token") == token }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := &testAPI{n: 12, size: 5, style: "next", check: func(w http.ResponseWriter, r *http.Request) bool {
				if !tt.check(r) {
					http.Error(w, "refused: "+r.Header.Get("Authorization"), http.StatusUnauthorized)
					return false
				}
				return true
			}}
			srv := api.start(t)
			src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: tt.auth})
			require.NoError(t, err)
			ids, _, err := collectIDs(t, src)
			require.NoError(t, err)
			require.Equal(t, seq(12), ids)

			bad, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: tt.wrong})
			require.NoError(t, err)
			_, _, err = collectIDs(t, bad)
			var pe *httpsource.PageError
			require.ErrorAs(t, err, &pe)
			require.ErrorIs(t, err, httpsource.ErrStatus)
			require.Equal(t, http.StatusUnauthorized, pe.Status)
			require.Equal(t, 1, pe.Page)
			require.NotContains(t, err.Error(), token)
			require.NotContains(t, fmt.Sprintf("%v %+v %#v", tt.auth, tt.auth, tt.auth), token)
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := httpsource.Secret(token)
	data, err := json.Marshal(struct{ S httpsource.Secret }{s})
	require.NoError(t, err)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %q %x %+v %#v", s, s, s, s, s, s), string(data)} {
		require.NotContains(t, out, token)
		require.NotContains(t, out, fmt.Sprintf("%x", token))
	}
	require.Equal(t, token, string(s))
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	var first time.Time
	var second time.Time
	api := &testAPI{n: 8, size: 5, style: "next"}
	api.hook = func(w http.ResponseWriter, r *http.Request, k int) bool {
		if k != 2 {
			return false
		}
		if first.IsZero() {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return true
		}
		second = time.Now()
		return false
	}
	srv := api.start(t)
	// The backoff minimum is far below Retry-After: only the header can
	// make the client wait a whole second.
	src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: httpsource.Bearer{Token: token}, RetryWaitMin: time.Millisecond})
	require.NoError(t, err)
	ids, _, err := collectIDs(t, src)
	require.NoError(t, err)
	require.Equal(t, seq(8), ids)
	require.Equal(t, 3, api.hits())
	require.GreaterOrEqual(t, second.Sub(first), time.Second, "Retry-After: 1 was honoured")
}

func TestServerErrorAfterRetries(t *testing.T) {
	t.Parallel()
	api := &testAPI{n: 30, size: 5, style: "next"}
	api.hook = func(w http.ResponseWriter, r *http.Request, k int) bool {
		if k == 3 {
			http.Error(w, "boom "+r.Header.Get("Authorization"), http.StatusInternalServerError)
			return true
		}
		return false
	}
	srv := api.start(t)
	src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: httpsource.Bearer{Token: token},
		RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	require.NoError(t, err)
	ids, _, err := collectIDs(t, src)
	require.Equal(t, seq(10), ids)
	var pe *httpsource.PageError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 3, pe.Page)
	require.Equal(t, http.StatusInternalServerError, pe.Status)
	require.Equal(t, srv.URL+"/items?page=3", pe.URL)
	require.Equal(t, 2+3, api.hits(), "two pages, then page 3 with two retries")
	require.NotContains(t, err.Error(), token)
}

func TestMalformedPages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, body string
		want       string
	}{
		{"not json", `<html>oops</html>`, "not JSON"},
		{"trailing data", `{"results": [], "next": null} {}`, "data after"},
		{"no results", `{"items": [], "next": null}`, `no "results" key`},
		{"results not array", `{"results": {"id": 1}, "next": null}`, "not an array"},
		{"record not object", `{"results": [1, 2], "next": null}`, "record 1 is not an object"},
		{"no next", `{"results": []}`, `no "next" key`},
		{"next not string", `{"results": [], "next": 3}`, "not a string or null"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := &testAPI{n: 20, size: 5, style: "next"}
			api.hook = func(w http.ResponseWriter, r *http.Request, k int) bool {
				if k != 2 {
					return false
				}
				_, _ = w.Write([]byte(tt.body))
				return true
			}
			srv := api.start(t)
			src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: httpsource.APIKey{Key: token}})
			require.NoError(t, err)
			_, _, err = collectIDs(t, src)
			require.ErrorIs(t, err, httpsource.ErrMalformedPage)
			msg := err.Error()
			require.Contains(t, msg, "page 2 ("+srv.URL+"/items?page=2)")
			require.Contains(t, msg, tt.want)
			require.NotContains(t, msg, token)
		})
	}
}

func TestForeignNextLinkSendsNothing(t *testing.T) {
	t.Parallel()
	other := &testAPI{n: 5, size: 5, style: "next"}
	otherSrv := other.start(t)
	api := &testAPI{n: 20, size: 5, style: "next"}
	api.hook = func(w http.ResponseWriter, r *http.Request, k int) bool {
		if k != 2 {
			return false
		}
		fmt.Fprintf(w, `{"results": [], "next": %q}`, otherSrv.URL+"/steal")
		return true
	}
	srv := api.start(t)
	redirect := &testAPI{n: 5, size: 5, style: "next"}
	redirect.hook = func(w http.ResponseWriter, r *http.Request, _ int) bool {
		http.Redirect(w, r, otherSrv.URL+"/steal", http.StatusFound)
		return true
	}
	redirectSrv := redirect.start(t)
	for _, u := range []string{srv.URL + "/items", redirectSrv.URL + "/items"} {
		src, err := httpsource.New(u, &httpsource.Options{Auth: httpsource.Bearer{Token: token}})
		require.NoError(t, err)
		_, _, err = collectIDs(t, src)
		require.ErrorIs(t, err, httpsource.ErrForeignURL)
	}
	require.Zero(t, other.hits(), "no request reached the other origin")
	require.Equal(t, 1, redirect.hits(), "a foreign redirect is not retried")
}

func TestBudgets(t *testing.T) {
	t.Parallel()
	api := &testAPI{n: 100, size: 5, style: "next"}
	srv := api.start(t)
	src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{MaxPages: 3})
	require.NoError(t, err)
	ids, _, err := collectIDs(t, src)
	require.ErrorIs(t, err, httpsource.ErrBudget)
	require.Len(t, ids, 10, "pages before the one over budget are yielded")

	src, err = httpsource.New(srv.URL+"/items", &httpsource.Options{MaxPageBytes: 64})
	require.NoError(t, err)
	_, _, err = collectIDs(t, src)
	require.ErrorIs(t, err, httpsource.ErrBudget)
	require.ErrorContains(t, err, "page 1")
}

func TestNewRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "ftp://x/y", "file:///etc/passwd", "/relative", "http://"} {
		_, err := httpsource.New(u, nil)
		require.ErrorIs(t, err, httpsource.ErrInvalidOptions, u)
	}
	for _, o := range []httpsource.Options{{MaxPages: -1}, {MaxPageBytes: -1}, {PageTimeout: -time.Second}, {RateLimit: -1}} {
		_, err := httpsource.New("http://example.test/", &o)
		require.ErrorIs(t, err, httpsource.ErrInvalidOptions)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	api := &testAPI{n: 15, size: 5, style: "next"}
	srv := api.start(t)
	src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{RateLimit: 5}) // one request per 200ms
	require.NoError(t, err)
	start := time.Now()
	ids, _, err := collectIDs(t, src)
	require.NoError(t, err)
	require.Equal(t, seq(15), ids)
	require.GreaterOrEqual(t, time.Since(start), 400*time.Millisecond, "three requests at 5/s span two intervals")
}

func TestContextCancelStops(t *testing.T) {
	t.Parallel()
	api := &testAPI{n: 20, size: 5, style: "next"}
	srv := api.start(t)
	src, err := httpsource.New(srv.URL+"/items", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range src.Pages(ctx) {
		require.True(t, errors.Is(err, context.Canceled), err)
	}
	require.True(t, strings.HasPrefix(srv.URL, "http://"))
}
