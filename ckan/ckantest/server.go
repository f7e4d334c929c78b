package ckantest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Defaults for [Options].
const (
	DefaultRowsMax      = 32000
	DefaultRowsDefault  = 100
	DefaultTokenHeader  = "Authorization"
	DefaultSysadminName = "ckan_admin"
)

// Options configures a [Server]. nil means defaults.
type Options struct {
	// DSN selects the database that holds the DataStore tables. Empty: a
	// new SQLite file in a temporary directory, removed by Close. A
	// postgres:// or postgresql:// URL: PostgreSQL, each table named by its
	// resource id, with _id serial, _full_text tsvector and a trigger, as
	// CKAN does (the schema should be private to the server). Anything else
	// is a modernc.org/sqlite DSN.
	DSN string
	// RowsMax is ckan.datastore.search.rows_max. Default 32000.
	RowsMax int
	// RowsDefault is ckan.datastore.search.rows_default. Default 100.
	RowsDefault int
	// Version is the CKAN behaviour reproduced: "2.11" (default) or "2.10".
	// CKAN 2.10 reads the token from X-CKAN-API-Key, falling back to
	// Authorization (ignored when the value contains a space); its
	// datastore_info takes only "id"; it has no delete_fields and no
	// datastore_records_delete; it names the failing record "_records_row";
	// it passes "" through (so "" into a numeric column fails); and a
	// delete with empty filters also clears datastore_active.
	Version string
	// TokenHeader is apitoken_header_name. Default "Authorization" (2.11),
	// "X-CKAN-API-Key" (2.10).
	TokenHeader string
	// SysadminName names the sysadmin created at start. Default
	// "ckan_admin".
	SysadminName string
	// Logger receives the causes of 500 answers. Default: discard.
	Logger *slog.Logger
	// MaxBodyBytes models the proxy in front of CKAN: a request body
	// larger than this is answered 413 with nginx's page and never reaches
	// CKAN. Use NginxDefaultBodyLimit for nginx's default. Default 0: no
	// limit (CKAN has none of its own).
	MaxBodyBytes int64
	// AircanHook models ckanext-aircan's resource_update hook: a
	// resource_patch of a resource that is not DataStore-only submits it to
	// AirCan again (a load that patches its own resource loops) when its
	// last aircan_status_update is older than AircanResubmitAfter, or
	// there is none. The submissions are listed by [Server.Submissions].
	// Default false.
	AircanHook bool
	// AircanResubmitAfter is the age of the last status after which the
	// hook submits again. Default DefaultAircanResubmitAfter (10 minutes).
	AircanResubmitAfter time.Duration
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.RowsMax <= 0 {
		c.RowsMax = DefaultRowsMax
	}
	if c.RowsDefault <= 0 {
		c.RowsDefault = DefaultRowsDefault
	}
	if c.Version == "" {
		c.Version = "2.11"
	}
	if c.TokenHeader == "" {
		c.TokenHeader = DefaultTokenHeader
		if c.Version == "2.10" {
			c.TokenHeader = "X-CKAN-API-Key"
		}
	}
	if c.SysadminName == "" {
		c.SysadminName = DefaultSysadminName
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.AircanResubmitAfter <= 0 {
		c.AircanResubmitAfter = DefaultAircanResubmitAfter
	}
	return c
}

// Server is an in-process CKAN with the DataStore, ckanext-aircan's status
// callback and the core actions a loader uses.
type Server struct {
	opts    Options
	hs      *httptest.Server
	db      *sql.DB
	d       dialect
	tmpDir  string
	actions map[string]action
	// tooLarge counts the 413 answers of Options.MaxBodyBytes.
	tooLarge atomic.Int64

	mu        sync.Mutex // guards the fields below
	users     map[string]*user
	tokens    map[string]string // token → user name
	datasets  map[string]*dataset
	resources map[string]map[string]any
	status    []StatusCall
	statusAt  map[string]time.Time // resource id → last status update received
	submits   []Submission
	sysToken  string
}

// New starts a server.
func New(opts *Options) (*Server, error) {
	o := opts.withDefaults()
	if o.Version != "2.11" && o.Version != "2.10" {
		return nil, fmt.Errorf("ckantest: unsupported Version %q (want 2.10 or 2.11)", o.Version)
	}
	s := &Server{
		opts:      o,
		users:     map[string]*user{},
		tokens:    map[string]string{},
		datasets:  map[string]*dataset{},
		resources: map[string]map[string]any{},
		statusAt:  map[string]time.Time{},
	}
	if err := s.openDB(o.DSN); err != nil {
		s.cleanup()
		return nil, err
	}
	s.actions = s.actionTable()
	s.sysToken = s.AddUser(o.SysadminName, true)
	s.hs = httptest.NewServer(s.Handler())
	return s, nil
}

// NewServer starts a server and panics if it cannot, like
// httptest.NewServer.
func NewServer(opts *Options) *Server {
	s, err := New(opts)
	if err != nil {
		panic(fmt.Sprintf("ckantest: %v", err))
	}
	return s
}

func (s *Server) openDB(dsn string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		s.d = pgDialect{v210: s.v210()}
		s.db, err = sql.Open("pgx", dsn)
	default:
		s.d = sqliteDialect{}
		if dsn == "" {
			if s.tmpDir, err = os.MkdirTemp("", "ckantest-"); err != nil {
				return fmt.Errorf("ckantest: temp dir: %w", err)
			}
			dsn = "file:" + filepath.Join(s.tmpDir, "datastore.db") + "?_pragma=busy_timeout(10000)"
		}
		s.db, err = sql.Open("sqlite", dsn)
		if err == nil {
			// One connection: transactions serialize and nothing waits on
			// SQLite's file lock.
			s.db.SetMaxOpenConns(1)
		}
	}
	if err != nil {
		return fmt.Errorf("ckantest: open database: %w", err)
	}
	if err := s.d.setup(ctx, s.db); err != nil {
		return fmt.Errorf("ckantest: %w", err)
	}
	return nil
}

// URL returns the site URL (no trailing slash).
func (s *Server) URL() string { return s.hs.URL }

// Handler returns the HTTP handler (also served at URL).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/action/{name}", s.serveAction)
	mux.HandleFunc("/api/3/action/{name}", s.serveAction)
	mux.HandleFunc("GET /datastore/dump/{id}", s.serveDump)
	return s.limitBody(s.opts.MaxBodyBytes, mux)
}

// DB returns the database holding the DataStore tables, for tests that
// inspect or write them directly (as a COPY loader would).
func (s *Server) DB() *sql.DB { return s.db }

// Close stops the server and releases the database.
func (s *Server) Close() {
	if s.hs != nil {
		s.hs.Close()
	}
	s.cleanup()
}

func (s *Server) cleanup() {
	if s.db != nil {
		_ = s.db.Close()
	}
	if s.tmpDir != "" {
		_ = os.RemoveAll(s.tmpDir)
	}
}

// v210 reports whether the server reproduces CKAN 2.10.
func (s *Server) v210() bool { return s.opts.Version == "2.10" }

// SysadminToken returns the token of the sysadmin created at start.
func (s *Server) SysadminToken() string { return s.sysToken }

// newID returns a random UUID (version 4).
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newToken returns a random API token.
func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return "ckt_" + hex.EncodeToString(b[:])
}
