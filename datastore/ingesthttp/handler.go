package ingesthttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/httpauth"
	"github.com/datafactory/datafactory/internal/httplog"
)

// Defaults.
const (
	// DefaultMaxBodyBytes is Options.MaxBodyBytes's default: 4 MiB, ample
	// for 1000 rows.
	DefaultMaxBodyBytes = 4 << 20
)

// Options configure a Handler. The zero value (or nil) means defaults.
type Options struct {
	// Tables registers the tables the API serves with their Table Schema,
	// the data dictionary rows are validated against. The tables must exist
	// in the store. Default nil: every existing table, validated against
	// the schema the store describes (rejects tables excepted).
	Tables map[string]*frictionless.Schema
	// Token is the bearer token every request must carry, compared in
	// constant time. Default "": no authentication, for handlers that are
	// mounted behind another authenticating handler.
	Token string
	// MaxBodyBytes caps request bodies. Default
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives request failures that are not the client's fault.
	// Default: discard.
	Logger *slog.Logger
	// Ingested, when set, is called with the response of every batch that
	// was written (its rows inserted and its rejects stored), from the
	// request's goroutine (serve counts the rows in its Prometheus
	// metrics). Default none.
	Ingested func(*RowsResponse)
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Handler serves the ingest API. It is safe for concurrent use.
type Handler struct {
	store *datastore.Store
	opts  Options
	mux   *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New returns a handler over store. Registered tables are checked: each must
// exist and have a valid schema.
func New(ctx context.Context, store *datastore.Store, opts *Options) (*Handler, error) {
	h := &Handler{store: store, opts: opts.withDefaults(), mux: http.NewServeMux()}
	for name, s := range h.opts.Tables {
		if s == nil {
			return nil, fmt.Errorf("ingesthttp: table %q: nil schema", name)
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("ingesthttp: table %q: %w", name, err)
		}
		ok, err := store.TableExists(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("ingesthttp: table %q: %w", name, err)
		}
		if !ok {
			return nil, fmt.Errorf("ingesthttp: table %q: %w", name, datastore.ErrNotFound)
		}
	}
	h.mux.HandleFunc("GET /v1/tables", h.listTables)
	h.mux.HandleFunc("GET /v1/tables/{table}", h.getTable)
	h.mux.HandleFunc("POST /v1/tables/{table}/rows", h.postRows)
	h.mux.HandleFunc("GET /v1/tables/{table}/rows/{id}", h.getRow)
	return h, nil
}

// ServeHTTP checks the bearer token and routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.opts.Token != "" {
		c, ok := httpauth.Parse(r)
		if !ok || c.Bearer == "" {
			httpauth.Challenge(w, false, "Bearer")
			httplog.Message(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		if !httpauth.NewTokens(h.opts.Token).Has(c.Bearer) {
			httpauth.Challenge(w, true, "Bearer")
			httplog.Message(w, http.StatusUnauthorized, "invalid token")
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// errUnknownTable: the table is not served.
var errUnknownTable = errors.New("unknown table")

// schema returns the registered schema of table, or errUnknownTable.
func (h *Handler) schema(ctx context.Context, table string) (*frictionless.Schema, error) {
	if h.opts.Tables != nil {
		s, ok := h.opts.Tables[table]
		if !ok {
			return nil, errUnknownTable
		}
		return s, nil
	}
	if strings.HasSuffix(table, "__rejects") || datastore.ValidateTableName(table) != nil {
		return nil, errUnknownTable
	}
	s, err := h.store.DescribeTable(ctx, table)
	if errors.Is(err, datastore.ErrNotFound) {
		return nil, errUnknownTable
	}
	return s, err
}

// tableSchema resolves the {table} of a request, answering 404 or 500 itself
// when it returns nil.
func (h *Handler) tableSchema(w http.ResponseWriter, r *http.Request) (string, *frictionless.Schema) {
	table := r.PathValue("table")
	s, err := h.schema(r.Context(), table)
	if errors.Is(err, errUnknownTable) {
		httplog.Message(w, http.StatusNotFound, fmt.Sprintf("unknown table %q", table))
		return "", nil
	}
	if err != nil {
		h.internal(w, r, err)
		return "", nil
	}
	return table, s
}

func (h *Handler) listTables(w http.ResponseWriter, r *http.Request) {
	out := map[string]*frictionless.Schema{}
	if h.opts.Tables != nil {
		out = h.opts.Tables
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"tables": out})
}

func (h *Handler) getTable(w http.ResponseWriter, r *http.Request) {
	table, s := h.tableSchema(w, r)
	if s == nil {
		return
	}
	httplog.JSON(w, http.StatusOK, map[string]any{"table": table, "schema": s})
}

// internal answers 500 and logs the cause; the client sees no details.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	httplog.Internal(w, r, h.opts.Logger, "ingest request", err)
}
