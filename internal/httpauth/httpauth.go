// Package httpauth reads and checks the credentials of HTTP requests for
// the SDK's handlers: bearer tokens and basic user/password, the scheme
// matched case-insensitively (RFC 9110), secrets compared in constant
// time. Missing or invalid credentials are answered 401 with a
// WWW-Authenticate challenge; 403 is left to valid credentials without
// the right.
package httpauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// Realm is the realm of the challenges.
const Realm = "datafactory"

// Credentials are what a request's Authorization header carries.
type Credentials struct {
	// Bearer is the token of a Bearer header.
	Bearer string
	// User and Password are those of a Basic header.
	User, Password string
	// Basic is true for a Basic header.
	Basic bool
}

// Parse reads the Authorization header; ok is false when it is missing,
// empty or malformed (an unknown scheme, an empty token, bad base64).
func Parse(r *http.Request) (c Credentials, ok bool) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	rest = strings.TrimSpace(rest)
	switch {
	case rest == "":
		return c, false
	case strings.EqualFold(scheme, "bearer"):
		return Credentials{Bearer: rest}, true
	case strings.EqualFold(scheme, "basic"):
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return c, false
		}
		user, pass, found := strings.Cut(string(raw), ":")
		if !found {
			return c, false
		}
		return Credentials{User: user, Password: pass, Basic: true}, true
	}
	return c, false
}

// Tokens is a set of accepted bearer tokens.
type Tokens struct{ sums [][32]byte }

// NewTokens returns the set of the non-empty tokens given.
func NewTokens(tokens ...string) Tokens {
	var t Tokens
	for _, tok := range tokens {
		if tok != "" {
			t.sums = append(t.sums, sha256.Sum256([]byte(tok)))
		}
	}
	return t
}

// Empty reports whether no token is accepted.
func (t Tokens) Empty() bool { return len(t.sums) == 0 }

// Has reports, in constant time over the set, whether tok is accepted.
func (t Tokens) Has(tok string) bool {
	if tok == "" {
		return false
	}
	sum := sha256.Sum256([]byte(tok))
	match := 0
	for i := range t.sums {
		match |= subtle.ConstantTimeCompare(sum[:], t.sums[i][:])
	}
	return match == 1
}

// User is a basic-auth user and password.
type User struct{ Name, Password string }

// Matches reports, in constant time, whether c carries this user's basic
// credentials; a user without name or password matches nothing.
func (u User) Matches(c Credentials) bool {
	if !c.Basic || u.Name == "" || u.Password == "" {
		return false
	}
	nameOK := subtle.ConstantTimeCompare([]byte(c.User), []byte(u.Name))
	passOK := subtle.ConstantTimeCompare([]byte(c.Password), []byte(u.Password))
	return nameOK&passOK == 1
}

// Challenge sets the WWW-Authenticate header of a 401 for the schemes
// given ("Bearer", "Basic"); invalid adds error="invalid_token" to the
// Bearer challenge (RFC 6750).
func Challenge(w http.ResponseWriter, invalid bool, schemes ...string) {
	for _, s := range schemes {
		v := s + ` realm="` + Realm + `"`
		if invalid && s == "Bearer" {
			v += `, error="invalid_token"`
		}
		w.Header().Add("WWW-Authenticate", v)
	}
}
