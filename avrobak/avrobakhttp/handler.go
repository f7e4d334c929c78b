package avrobakhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/datastore"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/httplog"
	"github.com/datafactory/datafactory/storage"
)

// DefaultMaxRestoreBytes is Options.MaxRestoreBytes's default: 1 GiB.
const DefaultMaxRestoreBytes = 1 << 30

// Patterns are the ServeMux patterns the handler serves, for mounting it
// on a host's mux beside other handlers.
var Patterns = []string{"POST /v1/tables/{table}/backup", "POST /v1/tables/{table}/restore"}

// Options configure a Handler. nil means defaults.
type Options struct {
	// Tables are the tables that may be backed up and restored. Default
	// nil: every existing table except rejects tables.
	Tables map[string]*frictionless.Schema
	// Bucket holds backups. Default nil: backup answers with the file and
	// restore reads the request body.
	Bucket *storage.Bucket
	// Prefix is the key prefix of backups in Bucket, ending in "/".
	// Default avrobak.DefaultKeyPrefix.
	Prefix string
	// MaxRestoreBytes caps an Avro file posted to restore. Default
	// DefaultMaxRestoreBytes.
	MaxRestoreBytes int64
	// Logger receives every 5xx with its cause. Default: slog.Default().
	Logger *slog.Logger
}

// Handler serves backup and restore. It is safe for concurrent use.
type Handler struct {
	store *datastore.Store
	opts  Options
	mux   *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New returns a handler over store.
func New(store *datastore.Store, opts *Options) (*Handler, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = avrobak.DefaultKeyPrefix
	}
	if _, err := avrobak.ConfinedKey(o.Prefix, "x"); err != nil {
		return nil, fmt.Errorf("avrobakhttp: prefix %q: %w", o.Prefix, err)
	}
	if o.MaxRestoreBytes <= 0 {
		o.MaxRestoreBytes = DefaultMaxRestoreBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Handler{store: store, opts: o, mux: http.NewServeMux()}
	h.mux.HandleFunc(Patterns[0], h.backup)
	h.mux.HandleFunc(Patterns[1], h.restore)
	return h, nil
}

// ServeHTTP routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// errUnknownTable: the table is not served.
var errUnknownTable = errors.New("unknown table")

// table resolves {table}, answering 404 or 500 itself when ok is false.
func (h *Handler) table(w http.ResponseWriter, r *http.Request) (string, bool) {
	table := r.PathValue("table")
	err := h.served(r.Context(), table)
	if errors.Is(err, errUnknownTable) {
		httplog.Message(w, http.StatusNotFound, fmt.Sprintf("unknown table %q", printable(table)))
		return "", false
	}
	if err != nil {
		h.internal(w, r, err)
		return "", false
	}
	return table, true
}

// served reports whether table may be backed up and restored.
func (h *Handler) served(ctx context.Context, table string) error {
	if h.opts.Tables != nil {
		if _, ok := h.opts.Tables[table]; !ok {
			return errUnknownTable
		}
		return nil
	}
	if strings.HasSuffix(table, "__rejects") || datastore.ValidateTableName(table) != nil {
		return errUnknownTable
	}
	ok, err := h.store.TableExists(ctx, table)
	if err != nil {
		return err
	}
	if !ok {
		return errUnknownTable
	}
	return nil
}

// key returns the bucket key of the request's backup, or an error naming
// what is wrong with the "key" parameter.
func (h *Handler) key(r *http.Request, table string) (string, error) {
	name := r.URL.Query().Get("key")
	if name == "" {
		name = table + ".avro"
	}
	if name != table+".avro" && !strings.HasPrefix(name, table+".") && !strings.HasPrefix(name, table+"/") {
		return "", fmt.Errorf("key must be %s.avro or start with %q or %q", table, table+".", table+"/")
	}
	key, err := avrobak.ConfinedKey(h.opts.Prefix, name)
	if err != nil {
		var ke *storage.KeyError
		if errors.As(err, &ke) {
			return "", fmt.Errorf("invalid key: %s", ke.Reason)
		}
		return "", errors.New("invalid key")
	}
	return key, nil
}

// internal answers 500 and logs the cause; the client sees no details.
func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	httplog.Internal(w, r, h.opts.Logger, "backup request", err)
}

// printable cuts a request value for a message and hides control characters.
func printable(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
