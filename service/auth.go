package service

import (
	"encoding/json"
	"net/http"

	"github.com/datafactory/datafactory/internal/httpauth"
)

// right is what a principal may reach.
type right int

const (
	rightStatus right = iota
	rightIngest
	rightRuns
	rightSchedule // the scheduler API: tokens only
)

// authenticator checks the service's credentials: tokens reach every
// API, the Airflow user the runs API only.
type authenticator struct {
	tokens  httpauth.Tokens
	airflow httpauth.User
	open    bool
}

func newAuthenticator(c *Config) authenticator {
	return authenticator{tokens: httpauth.NewTokens(c.Tokens...),
		airflow: httpauth.User{Name: c.AirflowUser, Password: c.AirflowPassword.Reveal()}, open: c.AllowUnauthenticated}
}

// guard returns a wrap that lets through requests whose credentials give
// need: 401 with a challenge for missing or invalid credentials, 403 for
// valid ones without the right.
func (a authenticator) guard(need right) func(http.Handler) http.Handler {
	schemes := []string{"Bearer"}
	if need == rightRuns {
		schemes = append(schemes, "Basic")
	}
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a.open {
				h.ServeHTTP(w, r)
				return
			}
			c, ok := httpauth.Parse(r)
			switch {
			case !ok:
				httpauth.Challenge(w, false, schemes...)
				deny(w, http.StatusUnauthorized, "credentials are missing or malformed")
			case a.tokens.Has(c.Bearer):
				h.ServeHTTP(w, r)
			case a.airflow.Matches(c) && need == rightRuns:
				h.ServeHTTP(w, r)
			case a.airflow.Matches(c):
				deny(w, http.StatusForbidden, "the Airflow login reaches the runs API only")
			default:
				httpauth.Challenge(w, c.Bearer != "", schemes...)
				deny(w, http.StatusUnauthorized, "invalid credentials")
			}
		})
	}
}

// deny writes an authentication error.
func deny(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"status": code, "title": http.StatusText(code), "message": msg})
}
