package httpsource

import (
	"encoding/base64"
	"net/http"

	"github.com/datafactory/datafactory/httpsource/hawk"
)

// Auth authenticates the requests of a [Source]. Transport returns a
// RoundTripper that adds the credentials and sends through base; the source
// only passes it requests to its own origin.
type Auth interface {
	Transport(base http.RoundTripper) http.RoundTripper
}

// Bearer sends "Authorization: Bearer <token>".
type Bearer struct {
	Token Secret
}

// Transport adds the bearer token.
func (a Bearer) Transport(base http.RoundTripper) http.RoundTripper {
	return headerAuth{base: base, name: "Authorization", value: "Bearer " + string(a.Token)}
}

// Basic sends HTTP basic authentication.
type Basic struct {
	Username string
	Password Secret
}

// Transport adds the basic credentials.
func (a Basic) Transport(base http.RoundTripper) http.RoundTripper {
	cred := base64.StdEncoding.EncodeToString([]byte(a.Username + ":" + string(a.Password)))
	return headerAuth{base: base, name: "Authorization", value: "Basic " + cred}
}

// APIKey sends the key in a request header.
type APIKey struct {
	// Header is the header name. Default "X-API-Key".
	Header string
	Key    Secret
}

// Transport adds the key header.
func (a APIKey) Transport(base http.RoundTripper) http.RoundTripper {
	name := a.Header
	if name == "" {
		name = "X-API-Key"
	}
	return headerAuth{base: base, name: name, value: string(a.Key)}
}

// Hawk signs every request with Hawk (sha256, no request payload hash, as
// data-flow's GETs) and verifies the Server-Authorization MAC and payload
// hash of every 2xx response; a response that fails is an error wrapping
// hawk.ErrBadMAC, hawk.ErrBadHash or hawk.ErrMissing and is never retried.
type Hawk struct {
	Credentials hawk.Credentials
}

// Transport signs and verifies through hawk.Transport.
func (a Hawk) Transport(base http.RoundTripper) http.RoundTripper {
	return &hawk.Transport{Credentials: a.Credentials, Base: base, PassErrors: true}
}

// headerAuth sets one header on a copy of each request.
type headerAuth struct {
	base        http.RoundTripper
	name, value string
}

func (h headerAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.name, h.value)
	return h.base.RoundTrip(r)
}
