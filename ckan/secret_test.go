package ckan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.super-secret-token"

func TestTokenNeverPrinted(t *testing.T) {
	t.Parallel()
	opts := ClientOptions{Token: token, MaxRetries: 2, UserAgent: "ua"}
	c, err := NewClient("http://ckan.example", &opts)
	require.NoError(t, err)
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("config", "opts", opts, "token", opts.Token, "client", c)
	js, err := json.Marshal(struct {
		SiteURL string
		Token   Secret
	}{"http://ckan.example", opts.Token})
	require.NoError(t, err)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", opts), "%+v": fmt.Sprintf("%+v", opts), "%#v": fmt.Sprintf("%#v", opts),
		"%v ptr": fmt.Sprintf("%v", &opts), "%+v ptr": fmt.Sprintf("%+v", &opts),
		"String": opts.String(), "secret %v": fmt.Sprintf("%v", opts.Token), "secret %#v": fmt.Sprintf("%#v", opts.Token),
		"secret %q": fmt.Sprintf("%q", opts.Token), "client %v": fmt.Sprintf("%v", c), "client %+v": fmt.Sprintf("%+v", c),
		"json": string(js), "slog": logBuf.String(),
	}
	for name, out := range outputs {
		require.NotContains(t, out, "super-secret", name)
		require.NotContains(t, out, "eyJ0", name)
	}
	require.Contains(t, outputs["%v"], "[redacted]")
	require.Equal(t, token, opts.Token.Reveal())
	var back struct{ Token Secret }
	require.NoError(t, json.Unmarshal([]byte(`{"Token":"abc"}`), &back))
	require.Equal(t, "abc", back.Token.Reveal())
}

func TestTokenSentRawAndNotInErrors(t *testing.T) {
	t.Parallel()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusServiceUnavailable)
		// a hostile server echoing the header must not leak it through the
		// client's error either: the body is shown, so this one is plain
		_, _ = io.WriteString(w, `{"success":false,"error":{"__type":"Internal Server Error","message":"Internal Server Error"}}`)
	}))
	defer srv.Close()
	var logBuf bytes.Buffer
	c, err := NewClient(srv.URL, &ClientOptions{Token: token, MaxRetries: 1, RetryWaitMin: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)
	_, err = c.DatastoreSearch(context.Background(), &SearchRequest{ResourceID: "r"})
	require.ErrorIs(t, err, ErrServer)
	require.Equal(t, []string{token, token}, got, "raw token, no Bearer prefix, on every attempt")
	require.NotContains(t, err.Error(), "super-secret")
	require.Contains(t, logBuf.String(), "retried")
	require.NotContains(t, logBuf.String(), "super-secret")
}

func TestNewClientRejectsBadURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"ftp://x", "not a url", "http://user:pw@ckan.example", ""} {
		_, err := NewClient(u, nil)
		require.Error(t, err, u)
		require.False(t, strings.Contains(err.Error(), "pw"), u)
	}
}
