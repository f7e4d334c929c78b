package httpauth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/datafactory/datafactory/internal/httpauth"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, header string
		ok           bool
		want         httpauth.Credentials
	}{
		{"bearer", "Bearer tok", true, httpauth.Credentials{Bearer: "tok"}},
		{"lower-case bearer", "bearer tok", true, httpauth.Credentials{Bearer: "tok"}},
		{"upper-case bearer", "BEARER tok", true, httpauth.Credentials{Bearer: "tok"}},
		{"basic", "basic dTpw", true, httpauth.Credentials{User: "u", Password: "p", Basic: true}},
		{"missing", "", false, httpauth.Credentials{}},
		{"empty bearer", "Bearer ", false, httpauth.Credentials{}},
		{"other scheme", "Digest x", false, httpauth.Credentials{}},
		{"bad base64", "Basic !!", false, httpauth.Credentials{}},
		{"no colon", "Basic dXNlcg==", false, httpauth.Credentials{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			got, ok := httpauth.Parse(r)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestTokensAndUsers(t *testing.T) {
	t.Parallel()
	tokens := httpauth.NewTokens("a-token", "")
	require.True(t, tokens.Has("a-token"))
	require.False(t, tokens.Has("a-toke"))
	require.False(t, tokens.Has(""))
	require.True(t, httpauth.NewTokens("").Empty())
	u := httpauth.User{Name: "u", Password: "p"}
	require.True(t, u.Matches(httpauth.Credentials{User: "u", Password: "p", Basic: true}))
	require.False(t, u.Matches(httpauth.Credentials{User: "u", Password: "x", Basic: true}))
	require.False(t, httpauth.User{}.Matches(httpauth.Credentials{Basic: true}))
}
