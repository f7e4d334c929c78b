package webui

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// cookieName is the session cookie's name.
const cookieName = "datafactory_session"

// sessionKey keys the session's nonce in a request's context.
type sessionKey struct{}

// newSession returns a cookie value: expiry and a random nonce, signed.
// It holds no credential.
func (h *Handler) newSession(now time.Time) (value, nonce string) {
	raw := make([]byte, 24)
	binary.BigEndian.PutUint64(raw, uint64(now.Add(h.o.SessionTTL).Unix()))
	_, _ = rand.Read(raw[8:])
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + h.sign("session", body), body
}

// session returns the nonce of a valid, unexpired session cookie.
func (h *Handler) session(r *http.Request, now time.Time) (string, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return "", false
	}
	body, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(h.sign("session", body))) {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) != 24 || int64(binary.BigEndian.Uint64(raw)) < now.Unix() {
		return "", false
	}
	return body, true
}

// sign is the HMAC-SHA256 of purpose and s under the key.
func (h *Handler) sign(purpose, s string) string {
	m := hmac.New(sha256.New, h.o.Key)
	m.Write([]byte(purpose + "\x00" + s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrf is the CSRF token of the request's session.
func (h *Handler) csrf(r *http.Request) string {
	nonce, _ := r.Context().Value(sessionKey{}).(string)
	return h.sign("csrf", nonce)
}

// setCookie sets (or, with value "", clears) the session cookie.
func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, value string) {
	c := &http.Cookie{Name: cookieName, Value: value, Path: h.o.Prefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || h.o.SecureCookies}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.MaxAge = int(h.o.SessionTTL / time.Second)
	}
	http.SetCookie(w, c)
}

// guard lets requests with a session through, checking the CSRF token of
// every POST; others go to the sign-in page. Open pages (no SignIn) get a
// session on first visit, for CSRF tokens.
func (h *Handler) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		nonce, ok := h.session(r, now)
		if !ok && h.o.SignIn == nil && r.Method == http.MethodGet {
			var value string
			value, nonce = h.newSession(now)
			h.setCookie(w, r, value)
			ok = true
		}
		if !ok {
			if r.Method != http.MethodGet {
				h.fail(w, r, http.StatusUnauthorized, "sign in first")
				return
			}
			http.Redirect(w, r, h.o.Prefix+"login?next="+url.QueryEscape(r.RequestURI), http.StatusSeeOther)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, nonce))
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			got := r.PostFormValue("csrf")
			if subtle.ConstantTimeCompare([]byte(got), []byte(h.csrf(r))) != 1 {
				h.fail(w, r, http.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and try again")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// maxFormBytes caps a form body.
const maxFormBytes = 1 << 20

// loginPage shows the sign-in form.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "login", map[string]any{"Next": safeNext(h.o.Prefix, r.URL.Query().Get("next"))})
}

// login checks the token and sets the session cookie.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	token := r.PostFormValue("token")
	next := safeNext(h.o.Prefix, r.PostFormValue("next"))
	if h.o.SignIn != nil && (token == "" || !h.o.SignIn(token)) {
		h.render(w, r, http.StatusUnauthorized, "login", map[string]any{"Next": next, "Error": "That token does not sign in."})
		return
	}
	value, _ := h.newSession(time.Now())
	h.setCookie(w, r, value)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout clears the session cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	h.setCookie(w, r, "")
	http.Redirect(w, r, h.o.Prefix+"login", http.StatusSeeOther)
}

// safeNext keeps a redirect target under the prefix (no open redirect).
func safeNext(prefix, next string) string {
	if !strings.HasPrefix(next, prefix) || strings.Contains(next, "//") || strings.Contains(next, "\\") {
		return prefix
	}
	return next
}
