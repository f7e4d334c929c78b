package sqlstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/datastore/sqlstore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/testutil"
	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"
)

// secret is the password the redaction tests put in URLs.
const secret = "s3cr3t-Pa55word"

// TestPasswordNeverInErrors opens URLs that fail in different ways; no
// error (nor a log line built from it) contains the password.
func TestPasswordNeverInErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, url string }{
		{"postgres refused", "postgres://root:" + secret + "@127.0.0.1:1/test?sslmode=disable&connect_timeout=2"},
		{"postgres bad port", "postgres://root:" + secret + "@127.0.0.1:99999999/test"},
		{"postgres bad escape", "postgres://root:" + secret + "%zz@127.0.0.1/test"},
		{"mysql refused", "mysql://root:" + secret + "@127.0.0.1:1/test?timeout=2s"},
		{"mysql no database", "mysql://root:" + secret + "@127.0.0.1:3306"},
		{"mysql bad parameter", "mysql://root:" + secret + "@127.0.0.1:3306/test?tls=nonsense"},
		{"unknown scheme", "oracle://root:" + secret + "@127.0.0.1/test"},
	}
	if base := os.Getenv(testutil.MySQLEnv); base != "" {
		cfg, err := mysqldrv.ParseDSN(base)
		require.NoError(t, err)
		u := url.URL{Scheme: "mysql", User: url.UserPassword(cfg.User, secret), Host: cfg.Addr, Path: "/" + cfg.DBName}
		cases = append(cases, struct{ name, url string }{"mysql wrong password", u.String()})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := sqlstore.Open(ctx, tc.url, nil)
			require.Error(t, err)
			require.Nil(t, s)
			require.NotContains(t, err.Error(), secret)
			require.NotContains(t, err.Error(), "Pa55")
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Error("open failed", "err", err)
			require.NotContains(t, buf.String(), secret)
		})
	}
}

// TestOpenURLs opens each supported URL form.
func TestOpenURLs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rel, err := filepath.Rel(mustWd(t), filepath.Join(dir, "rel.db"))
	require.NoError(t, err)
	cases := []struct {
		name, url string
		ok        bool
	}{
		{"memory", "sqlite::memory:", true},
		{"absolute", "sqlite://" + filepath.Join(dir, "abs.db"), true},
		{"relative", "sqlite:" + rel, true},
		{"sqlite3 scheme", "sqlite3://" + filepath.Join(dir, "three.db"), true},
		{"memory with slashes", "sqlite://:memory:", true},
		{"driver parameters", "sqlite:" + rel + "x?_pragma=cache_size(100)", true},
		{"bad query", "sqlite:" + rel + "y?_pragma=%zz", false},
		{"unknown scheme", "oracle://h/db", false},
		{"host form", "sqlite://relative.db", false},
		{"empty path", "sqlite:", false},
		{"no scheme", "just-a-path.db", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlstore.Open(context.Background(), tc.url, nil)
			if !tc.ok {
				require.ErrorIs(t, err, sqlstore.ErrInvalidURL)
				return
			}
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.CreateTable(context.Background(), "t", &frictionless.Schema{Fields: []frictionless.Field{{Name: "a"}}}))
			ok, err := s.TableExists(context.Background(), "t")
			require.NoError(t, err)
			require.True(t, ok)
		})
	}
}

// TestOpenServers opens PostgreSQL and MySQL by URL.
func TestOpenServers(t *testing.T) {
	t.Parallel()
	for _, b := range backends[1:] {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := open(t, b)
			require.NoError(t, s.CreateTable(context.Background(), "t", &frictionless.Schema{Fields: []frictionless.Field{{Name: "a"}}}))
			require.NoError(t, s.DropTable(context.Background(), "t"))
		})
	}
}

// TestMemoryStoreLoads runs a load and a rejects table on the one-connection
// in-memory database (the rejects are written after the load's transaction).
func TestMemoryStoreLoads(t *testing.T) {
	t.Parallel()
	s, err := sqlstore.Open(context.Background(), "sqlite::memory:", nil)
	require.NoError(t, err)
	defer s.Close()
	data, err := os.ReadFile("../testdata/employees.csv")
	require.NoError(t, err)
	r, err := frictionless.NewReader(bytes.NewReader(data), employeesSchema(), &frictionless.ReadOptions{Dialect: noHeader()})
	require.NoError(t, err)
	rep, err := datastore.Load(context.Background(), s, "employees", r, &datastore.LoadOptions{
		Mode: datastore.ModeReplace, Rejects: datastore.NewTableRejects(s, "employees")})
	require.NoError(t, err)
	require.EqualValues(t, 1929, rep.Written)
	ok, err := s.TableExists(context.Background(), datastore.RejectsTableName("employees"))
	require.NoError(t, err)
	require.True(t, ok)
}

func mustWd(t *testing.T) string {
	wd, err := os.Getwd()
	require.NoError(t, err)
	return wd
}
