package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/datafactory/datafactory/internal/sqlurl"
)

// Environment variables read by the tool.
const (
	// EnvDBPassword fills in the password of database URLs given without one.
	EnvDBPassword = "DATAFACTORY_DB_PASSWORD"
	// EnvStatusURL is the status store: a database URL or the http(s) URL of
	// a datafactory service.
	EnvStatusURL = "DATAFACTORY_STATUS_URL"
	// EnvToken is the bearer token of the HTTP service and its clients.
	EnvToken = "DATAFACTORY_TOKEN"
	// EnvAirflowUser and EnvAirflowPassword are the basic-auth credentials
	// of the Airflow-compatible routes of serve.
	EnvAirflowUser     = "DATAFACTORY_AIRFLOW_USER"
	EnvAirflowPassword = "DATAFACTORY_AIRFLOW_PASSWORD"
	// EnvSessionKey signs serve's web UI sessions (at least 32 bytes; the
	// same on every replica). Default: a random key per process.
	EnvSessionKey = "DATAFACTORY_SESSION_KEY"
)

// errSecretInArgs: a password was given on the command line.
var errSecretInArgs = errors.New("a password on the command line is not accepted: " +
	"put it in " + EnvDBPassword + " or give the whole URL as env:VARIABLE")

// resolveURL turns a database URL argument into the URL to open:
// "env:NAME" reads the URL from the environment variable NAME (which may hold
// a password); any other URL must not contain a password (nor a password
// parameter), and gets the one of DATAFACTORY_DB_PASSWORD when it names a
// user. Other URLs (an http(s) status service) must carry no password
// either. Errors never contain the URL.
func (m *Main) resolveURL(arg string) (string, error) {
	if name, ok := strings.CutPrefix(arg, "env:"); ok {
		v := m.Getenv(name)
		if v == "" {
			return "", fmt.Errorf("environment variable %s is empty", name)
		}
		return v, nil
	}
	u, err := sqlurl.Parse(arg)
	if err != nil { // not a database URL: its opener says what is wrong
		if nu, perr := url.Parse(arg); perr == nil && nu.User != nil {
			if _, has := nu.User.Password(); has {
				return "", errSecretInArgs
			}
		}
		return arg, nil
	}
	if u.HasPassword() {
		return "", errSecretInArgs
	}
	if u.FillPassword(m.Getenv(EnvDBPassword)) {
		return u.String(), nil
	}
	return arg, nil
}

// redact returns a URL fit for printing: its passwords masked.
func redact(raw string) string { return sqlurl.Redact(raw) }
