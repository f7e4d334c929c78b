package webui

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// pages are the page templates; each is rendered inside layout.html.
var pages = []string{"login", "pipelines", "runs", "run", "jobs", "trace", "trigger", "error"}

// parseTemplates parses layout.html with each page.
func parseTemplates() (map[string]*template.Template, error) {
	funcs := template.FuncMap{"when": when, "dur": dur, "lower": strings.ToLower, "query": query}
	out := map[string]*template.Template{}
	for _, p := range pages {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("webui: template %s: %w", p, err)
		}
		out[p] = t
	}
	return out, nil
}

// render writes page with data; the layout adds the prefix and CSRF token.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, code int, page string, data map[string]any) {
	data["Prefix"] = h.o.Prefix
	data["CSRF"] = h.csrf(r)
	data["SignedIn"] = r.Context().Value(sessionKey{}) != nil && h.o.SignIn != nil
	var buf bytes.Buffer
	if err := h.tmpl[page].Execute(&buf, data); err != nil {
		h.o.Logger.ErrorContext(r.Context(), "webui: render", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

// fail writes an error page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	h.render(w, r, code, "error", map[string]any{"Code": code, "Message": msg})
}

// serverError logs err and writes a 500 that does not show it.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.o.Logger.ErrorContext(r.Context(), "webui: request failed", slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	h.fail(w, r, http.StatusInternalServerError, "internal error")
}

// recorder is a response written in-process by the runs API.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

// callRuns sends one request to the runs API in-process.
func (h *Handler) callRuns(ctx context.Context, method, path string, body io.Reader) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return http.StatusBadRequest, nil
	}
	req.Header.Set("Content-Type", "application/json")
	rec := &recorder{header: http.Header{}}
	h.o.Runs.ServeHTTP(rec, req)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	return rec.code, rec.body.Bytes()
}

// when formats a time for the pages ("" for zero).
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// dur is the time from a to b, rounded ("" when either is zero).
func dur(a, b time.Time) string {
	if a.IsZero() || b.IsZero() {
		return ""
	}
	return b.Sub(a).Round(time.Millisecond).String()
}

// query encodes key/value pairs as a query string.
func query(kv ...string) template.URL {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return template.URL(v.Encode())
}
