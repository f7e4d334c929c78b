package cli

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/datafactory/datafactory/avrobak/avrobakhttp"
	"github.com/datafactory/datafactory/frictionless"
)

// mountBackups serves the backup and restore routes (avrobakhttp) behind
// the bearer token, beside the ingest API.
func mountBackups(s *server, tables map[string]*frictionless.Schema, token string, open bool) error {
	bh, err := avrobakhttp.New(s.store, &avrobakhttp.Options{Tables: tables, Bucket: s.bucket})
	if err != nil {
		return err
	}
	var h http.Handler = bh
	if !open {
		h = bearerOnly(token, bh)
	}
	for _, p := range avrobakhttp.Patterns {
		s.mux.Handle(p, h)
	}
	return nil
}

// bearerOnly lets through requests carrying the token (scheme
// case-insensitive); others get 401 with WWW-Authenticate.
func bearerOnly(token string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="datafactory"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "missing or invalid bearer token"})
			return
		}
		h.ServeHTTP(w, r)
	})
}
