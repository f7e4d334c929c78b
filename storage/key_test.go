package storage_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

func TestValidateKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key    string
		reason string // "" = valid
	}{
		{"a", ""},
		{"dag/run/task/resource.json", ""},
		{"with space/ünïcödé/名前.csv", ""},
		{"a..b/c.d", ""},
		{".hidden/..x", ""},
		{strings.Repeat("k", 1024), ""},
		{"", "is empty"},
		{"/abs", "is an absolute path"},
		{"a/../b", `contains a ".." segment`},
		{"..", `contains a ".." segment`},
		{"./a", `contains a "." segment`},
		{"a//b", "contains an empty segment"},
		{"a/", `ends with "/"`},
		{`a\b`, "contains a backslash"},
		{"a\x00b", "contains a control character"},
		{"a\x1fb", "contains a control character"},
		{"a\x7fb", "contains a control character"},
		{"a\u0085b", "contains a control character"},
		{"a\xffb", "is not valid UTF-8"},
		{strings.Repeat("k", 1025), "is longer than 1024 bytes"},
	}
	for _, tc := range tests {
		err := storage.ValidateKey(tc.key)
		if tc.reason == "" {
			require.NoError(t, err, "%q", tc.key)
			continue
		}
		require.ErrorIs(t, err, storage.ErrInvalidKey, "%q", tc.key)
		var ke *storage.KeyError
		require.ErrorAs(t, err, &ke)
		require.Equal(t, tc.key, ke.Key)
		require.Contains(t, ke.Reason, tc.reason, "%q", tc.key)
	}
}

func TestValidatePrefixAndName(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "a/", "dag/run/"} {
		require.NoError(t, storage.ValidatePrefix(p), "%q", p)
	}
	for _, p := range []string{"a", "/", "/a/", "a//", "../", "a/./"} {
		require.ErrorIs(t, storage.ValidatePrefix(p), storage.ErrInvalidKey, "%q", p)
	}
	for _, n := range []string{"extract", "2024-05-01T00:00:00", "v1.2"} {
		require.NoError(t, storage.ValidateName(n), "%q", n)
	}
	for _, n := range []string{"", "a/b", ".", "..", "a\n"} {
		require.ErrorIs(t, storage.ValidateName(n), storage.ErrInvalidKey, "%q", n)
	}
}

// FuzzValidateKey checks that every accepted key is relative, clean and
// stays inside any directory it is joined to.
func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"a", "a/b", "../x", "a//b", "/a", `a\b`, "a/./b", "ü/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if storage.ValidateKey(key) != nil {
			return
		}
		require.True(t, utf8.ValidString(key))
		require.NotEmpty(t, key)
		require.False(t, strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/"))
		require.NotContains(t, key, `\`)
		for _, seg := range strings.Split(key, "/") {
			require.NotContains(t, []string{"", ".", ".."}, seg)
		}
		for _, r := range key {
			require.False(t, r < 0x20 || r == 0x7f)
		}
	})
}
