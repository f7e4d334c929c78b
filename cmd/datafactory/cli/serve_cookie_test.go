package cli_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServeSecureCookies: serve speaks plain HTTP, so its session cookie
// is Secure only with --secure-cookies (the pages behind an HTTPS proxy);
// a request claiming HTTPS in X-Forwarded-Proto changes nothing.
func TestServeSecureCookies(t *testing.T) {
	t.Parallel()
	signIn := func(s *served) string {
		form := url.Values{"token": {serveToken}, "next": {"/ui/"}}
		req, err := http.NewRequest("POST", s.base+"/ui/login", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-Proto", "https")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "datafactory_session" {
				cookie = c
			}
		}
		require.NotNil(t, cookie, "signing in sets the session cookie")
		return map[bool]string{true: "secure", false: "plain"}[cookie.Secure]
	}
	require.Equal(t, "plain", signIn(startServe(t)))
	require.Equal(t, "secure", signIn(startServe(t, "--secure-cookies")))
}
