package webui

import (
	"crypto/rand"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/datafactory/datafactory/pipeline/pipelinehttp"
	"github.com/datafactory/datafactory/pipeline/schedule"
	"github.com/datafactory/datafactory/status"
	"github.com/datafactory/datafactory/storage"
)

//go:embed templates/*.html static/*
var assets embed.FS

// DefaultPrefix is Options.Prefix's default.
const DefaultPrefix = "/ui/"

// DefaultSessionTTL is Options.SessionTTL's default.
const DefaultSessionTTL = 12 * time.Hour

// Options configure a [Handler].
type Options struct {
	// Status is the store the runs API writes to. Required.
	Status *status.Store
	// Runs is the runs API the actions go through (trigger, retry) and
	// run pages are read from. Required.
	Runs *pipelinehttp.Handler
	// Pipelines are the runs API's pipelines (the same DAGs). Default none.
	Pipelines []pipelinehttp.DAG
	// Scheduler, when set, gives the pipelines page each pipeline's
	// triggers and whether they and the pipeline are active. Default none.
	Scheduler *schedule.Scheduler
	// Bucket keeps the runs' files (the runs API's bucket); the run page
	// links them for download. Default none.
	Bucket *storage.Bucket
	// SignIn reports whether a token signs in. nil means the pages are
	// open (the service's AllowUnauthenticated).
	SignIn func(token string) bool
	// Key signs session cookies and CSRF tokens. Default: 32 random bytes
	// (sessions end when the process does).
	Key []byte
	// SecureCookies marks the session cookie Secure (browsers then send it
	// over HTTPS only) on every response. Set it when a TLS-terminating
	// proxy serves the pages over HTTPS: without it the cookie is Secure
	// only on requests that arrived over TLS. What a request says of
	// itself (X-Forwarded-Proto) is never trusted for this. Default false.
	SecureCookies bool
	// SessionTTL is how long a session lasts. Default DefaultSessionTTL.
	SessionTTL time.Duration
	// Prefix is the path the handler is mounted at, ending in "/".
	// Default DefaultPrefix.
	Prefix string
	// Logger receives failed reads. Default: discard.
	Logger *slog.Logger
}

// Handler serves the pages. Build it with [New].
type Handler struct {
	o     Options
	dags  map[string]pipelinehttp.DAG
	names []string
	tmpl  map[string]*template.Template
	mux   *http.ServeMux
}

// New checks o and parses the templates.
func New(o *Options) (*Handler, error) {
	if o == nil || o.Status == nil || o.Runs == nil {
		return nil, errors.New("webui: Options.Status and Options.Runs are required")
	}
	h := &Handler{o: *o, dags: map[string]pipelinehttp.DAG{}}
	if h.o.Prefix == "" {
		h.o.Prefix = DefaultPrefix
	}
	if !strings.HasPrefix(h.o.Prefix, "/") || !strings.HasSuffix(h.o.Prefix, "/") {
		return nil, errors.New("webui: Options.Prefix must start and end with /")
	}
	if h.o.SessionTTL <= 0 {
		h.o.SessionTTL = DefaultSessionTTL
	}
	if len(h.o.Key) == 0 {
		h.o.Key = make([]byte, 32)
		_, _ = rand.Read(h.o.Key)
	}
	if h.o.Logger == nil {
		h.o.Logger = slog.New(slog.DiscardHandler)
	}
	for _, d := range h.o.Pipelines {
		if d.Pipeline == nil {
			return nil, errors.New("webui: a DAG without a pipeline")
		}
		h.dags[d.Pipeline.Name()] = d
		h.names = append(h.names, d.Pipeline.Name())
	}
	var err error
	if h.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	h.mux = h.routes()
	return h, nil
}

// routes maps the pages; paths are relative to the prefix.
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /login", h.loginPage)
	mux.HandleFunc("POST /login", h.login)
	mux.Handle("POST /logout", h.guard(http.HandlerFunc(h.logout)))
	for pattern, f := range map[string]http.HandlerFunc{
		"GET /{$}":                       h.pipelinesPage,
		"GET /runs":                      h.runsPage,
		"GET /runs/{id}":                 h.runPage,
		"GET /jobs":                      h.jobsPage,
		"GET /traces/{id}":               h.tracePage,
		"GET /pipelines/{name}/trigger":  h.triggerPage,
		"POST /pipelines/{name}/trigger": h.trigger,
		"POST /runs/{id}/retry":          h.retry,
		"POST /runs/{id}/cancel":         h.cancel,
		"GET /runs/{id}/files/{name...}": h.file,
	} {
		mux.Handle(pattern, h.guard(f))
	}
	return mux
}

// ServeHTTP serves the pages under the prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	http.StripPrefix(strings.TrimSuffix(h.o.Prefix, "/"), h.mux).ServeHTTP(w, r)
}

// AircanAlias redirects ckanext-aircan's /@{org}/{dataset}/actions/runs/{id}
// to the run's page and answers 404 to any other path. Mount it at "/".
func (h *Handler) AircanAlias() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if r.Method != http.MethodGet || len(parts) != 5 || !strings.HasPrefix(parts[0], "@") || len(parts[0]) < 2 ||
			parts[1] == "" || parts[2] != "actions" || parts[3] != "runs" || pipelinehttp.ValidateRunID(parts[4]) != nil {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, h.o.Prefix+"runs/"+parts[4], http.StatusSeeOther)
	})
}
