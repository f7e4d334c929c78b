// Package testutil gates integration tests on the databases named in the
// environment and gives each test an isolated place to work in.
//
// Tests that need PostgreSQL read DATAFACTORY_TEST_POSTGRES_URL, tests that
// need MySQL or MariaDB read DATAFACTORY_TEST_MYSQL_DSN. When the variable is
// unset the test is skipped with a message naming it; CI sets both, so there
// the tests always run. Each call to [PostgresURL] or [MySQLDSN] creates a
// fresh schema or database, drops it when the test ends, and returns a
// connection string that points into it, so tests can run in parallel.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Environment variables that name the test databases.
const (
	PostgresEnv = "DATAFACTORY_TEST_POSTGRES_URL"
	MySQLEnv    = "DATAFACTORY_TEST_MYSQL_DSN"
)

// cleanupTimeout bounds how long dropping a test schema may take.
const cleanupTimeout = 30 * time.Second

// PostgresBaseURL returns DATAFACTORY_TEST_POSTGRES_URL, or skips the test
// when it is unset. The URL is returned as given: use [PostgresURL] for an
// isolated schema.
func PostgresBaseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(PostgresEnv)
	if u == "" {
		tb.Skipf("%s is not set; skipping PostgreSQL test", PostgresEnv)
	}
	return u
}

// MySQLBaseDSN returns DATAFACTORY_TEST_MYSQL_DSN (go-sql-driver/mysql
// format), or skips the test when it is unset.
func MySQLBaseDSN(tb testing.TB) string {
	tb.Helper()
	d := os.Getenv(MySQLEnv)
	if d == "" {
		tb.Skipf("%s is not set; skipping MySQL test", MySQLEnv)
	}
	return d
}

// PostgresURL creates a new schema in the test database and returns a
// postgres:// URL whose search_path is that schema. The schema and
// everything in it are dropped when the test ends.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := PostgresBaseURL(tb)
	name := uniqueName("dft")
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("testutil: open postgres: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		tb.Fatalf("testutil: create schema %s: %v", name, err)
	}
	tb.Cleanup(func() { dropPostgresSchema(tb, base, name) })
	u, err := withSearchPath(base, name)
	if err != nil {
		tb.Fatalf("testutil: %v", err)
	}
	return u
}

func dropPostgresSchema(tb testing.TB, base, name string) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Errorf("testutil: open postgres for cleanup: %v", err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
		tb.Errorf("testutil: drop schema %s: %v", name, err)
	}
}

// withSearchPath adds search_path=<schema> to a postgres URL or key=value DSN.
func withSearchPath(base, schema string) (string, error) {
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			return "", fmt.Errorf("parse %s: %w", PostgresEnv, redactURLError(err))
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return base + " search_path=" + schema, nil
}

// MySQLDSN creates a new database on the test server and returns a
// go-sql-driver/mysql DSN that selects it, with parseTime and
// multiStatements off. The database is dropped when the test ends.
func MySQLDSN(tb testing.TB) string {
	tb.Helper()
	base := MySQLBaseDSN(tb)
	cfg, err := mysqldrv.ParseDSN(base)
	if err != nil {
		tb.Fatalf("testutil: parse %s: %v", MySQLEnv, err)
	}
	name := uniqueName("dft")
	admin := cfg.Clone()
	admin.DBName = ""
	db, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		tb.Fatalf("testutil: open mysql: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		tb.Fatalf("testutil: create database %s: %v", name, err)
	}
	tb.Cleanup(func() { dropMySQLDatabase(tb, admin.FormatDSN(), name) })
	cfg.DBName = name
	return cfg.FormatDSN()
}

func dropMySQLDatabase(tb testing.TB, dsn, name string) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Errorf("testutil: open mysql for cleanup: %v", err)
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
		tb.Errorf("testutil: drop database %s: %v", name, err)
	}
}

// uniqueName returns prefix_<16 hex chars>: a valid unquoted identifier in
// PostgreSQL, MySQL and SQLite.
func uniqueName(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("testutil: crypto/rand: %v", err))
	}
	return prefix + "_" + hex.EncodeToString(b[:])
}

// redactURLError drops the URL (which may hold a password) from a
// *url.Error, keeping only the cause.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// MySQLURL is [MySQLDSN] as the mysql://user[:password]@host/db URL that
// sqlstore, sqlstatus and the CLI open.
func MySQLURL(tb testing.TB) string {
	tb.Helper()
	cfg, err := mysqldrv.ParseDSN(MySQLDSN(tb))
	if err != nil {
		tb.Fatalf("testutil: parse DSN: %v", err)
	}
	u := url.URL{Scheme: "mysql", Host: cfg.Addr, Path: "/" + cfg.DBName, User: url.User(cfg.User)}
	if cfg.Passwd != "" {
		u.User = url.UserPassword(cfg.User, cfg.Passwd)
	}
	return u.String()
}
