package connection_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/datafactory/datafactory/connection"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

const secret = "s3cr3t-t0ken-value"

func testSet() *connection.Set {
	return &connection.Set{
		Databases: map[string]connection.Database{
			"warehouse": {URL: "postgres://etl@db.internal:5432/dw", Password: secret},
			"local":     {URL: "sqlite::memory:"},
		},
		CKANSites:  map[string]connection.CKANSite{"portal": {URL: "https://ckan.example.org", APIKey: secret}},
		Buckets:    map[string]connection.Bucket{"runs": {URL: "mem://"}},
		AllowHosts: []string{"replica.internal:5432", "reports.internal"},
	}
}

func TestStoreRefs(t *testing.T) {
	t.Parallel()
	s := testSet()
	tests := []struct {
		name, ref string
		want      error
		is        string // the connection's String when resolved
	}{
		{"database name", "warehouse", nil, "postgres://db.internal:5432/dw"},
		{"CKAN site name", "portal", nil, "https://ckan.example.org"},
		{"unknown name", "nope", connection.ErrNotConfigured, ""},
		{"env reference", "env:DATAFACTORY_TOKEN", connection.ErrRefused, ""},
		{"env reference upper", "ENV:DATAFACTORY_DB_PASSWORD", connection.ErrRefused, ""},
		{"unlisted host", "postgres://someone@evil.example:5432/db", connection.ErrRefused, ""},
		{"unlisted port", "postgres://someone@replica.internal:6543/db", connection.ErrRefused, ""},
		{"listed host and port", "postgres://someone@replica.internal:5432/db", nil, "postgres://replica.internal:5432/db"},
		{"listed host any port", "mysql://someone@REPORTS.internal:3306/db", nil, "mysql://REPORTS.internal:3306/db"},
		{"password in URL", "postgres://someone:" + secret + "@replica.internal:5432/db", connection.ErrRefused, ""},
		{"sqlite path", "sqlite:/etc/passwd", connection.ErrRefused, ""},
		{"sqlite memory", "sqlite::memory:", connection.ErrRefused, ""},
		{"CKAN URL", "ckan+https://ckan.example.org/?package_id=x", connection.ErrRefused, ""},
		{"file URL", "file:///etc/passwd", connection.ErrRefused, ""},
		{"unparsable", "postgres://u:" + secret + "@%zz/db", connection.ErrRefused, ""},
		{"no host", "postgres:///db", connection.ErrRefused, ""},
		{"path", "/proc/self/environ", connection.ErrRefused, ""},
		{"empty", "", connection.ErrRefused, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := s.Store(tt.ref)
			if tt.want == nil {
				require.NoError(t, err)
				require.Contains(t, c.String(), tt.is)
				require.NotContains(t, fmt.Sprintf("%v %+v %#v", c, c, c), secret)
				return
			}
			require.ErrorIs(t, err, tt.want)
			var re *connection.RefError
			require.True(t, errors.As(err, &re))
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "%zz")
		})
	}
}

// TestUnlistedHostNoConnection: a raw URL naming a host that is not on the
// allow-list makes no connection at all.
func TestUnlistedHostNoConnection(t *testing.T) {
	t.Parallel()
	ln := testutil.CountingListener(t)
	s := testSet()
	for _, scheme := range []string{"postgres", "mysql"} {
		_, err := s.OpenStore(context.Background(), scheme+"://someone@"+ln.Addr+"/db")
		require.ErrorIs(t, err, connection.ErrRefused)
	}
	require.Zero(t, ln.Accepts())
	// the same listener, allowed, is dialled: the count can move
	s.AllowHosts = []string{ln.Addr}
	_, err := s.OpenStore(context.Background(), "postgres://someone@"+ln.Addr+"/db?connect_timeout=2")
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	require.Positive(t, ln.Accepts(), "the allowed host was dialled")
}

func TestBucketAndCKANByNameOnly(t *testing.T) {
	t.Parallel()
	s := testSet()
	b, err := s.Bucket("runs")
	require.NoError(t, err)
	require.Equal(t, "mem://", b.URL)
	for _, ref := range []string{"mem://", "file:///tmp", "s3://bucket", "../runs", "nope"} {
		_, err := s.Bucket(ref)
		require.Error(t, err, ref)
	}
	_, err = s.Bucket("nope")
	require.ErrorIs(t, err, connection.ErrNotConfigured)
	c, err := s.CKANSite("portal")
	require.NoError(t, err)
	require.Equal(t, secret, c.APIKey.Reveal())
	_, err = s.CKANSite("https://ckan.example.org")
	require.ErrorIs(t, err, connection.ErrRefused)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, testSet().Validate())
	bad := []*connection.Set{
		{Databases: map[string]connection.Database{"a b": {URL: "sqlite::memory:"}}},
		{Databases: map[string]connection.Database{"x": {URL: "sqlite::memory:"}},
			CKANSites: map[string]connection.CKANSite{"x": {URL: "https://c.example"}}},
		{CKANSites: map[string]connection.CKANSite{"c": {URL: "ftp://c.example"}}},
		{CKANSites: map[string]connection.CKANSite{"c": {URL: "https://u:p@c.example"}}},
		{Roots: map[string]string{"r": "/"}},
		{Roots: map[string]string{"r": "/proc"}},
		{Roots: map[string]string{"r": "/no/such/dir"}},
	}
	for i, s := range bad {
		require.Error(t, s.Validate(), i)
	}
}

func TestParseDatabase(t *testing.T) {
	t.Parallel()
	d, err := connection.ParseDatabase("postgres://etl:" + secret + "@db:5432/dw")
	require.NoError(t, err)
	require.Equal(t, "postgres://etl@db:5432/dw", d.URL)
	require.Equal(t, secret, d.Password.Reveal())
	require.NotContains(t, fmt.Sprintf("%v %+v %#v", d, d, d), secret)
	_, err = connection.ParseDatabase("postgres://etl:" + secret + "@%zz/dw")
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
}

// TestPasswordNeverInErrors: a configured password reaches neither the
// error of a failed connection nor its String.
func TestPasswordNeverInErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the connection fails
	d := connection.Database{URL: "postgres://etl@" + addr + "/dw?connect_timeout=2", Password: secret}
	_, err = d.OpenStore(context.Background())
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
}
