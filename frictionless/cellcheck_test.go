package frictionless

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// slowCellProblem is cellProblem without the ASCII fast path.
func slowCellProblem(cell string, j int) string {
	switch {
	case !utf8.ValidString(cell):
		return "invalid UTF-8 in column " + string(rune('0'+j+1))
	case strings.IndexByte(cell, 0) >= 0:
		return "NUL byte in column " + string(rune('0'+j+1))
	}
	return ""
}

func TestCellProblem(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		cell, want string
	}{
		{"", ""}, {"abc", ""}, {"exactly8", ""}, {"sixteen-bytes-ok", ""},
		{"\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f", ""},
		{"\x01\x01\x01\x01\x01\x01\x01\x01", ""},
		{"café", ""}, {"naïve but longer than eight", ""},
		{"\x00", "NUL byte in column 1"},
		{"1234567\x00", "NUL byte in column 1"},
		{"\x00abcdefgh", "NUL byte in column 1"},
		{"abcdefgh\x00", "NUL byte in column 1"},
		{"\x01\x01\x01\x01\x01\x01\x01\x00", "NUL byte in column 1"},
		{"\x80\x80\x80\x80\x80\x80\x80\x80\x00", "invalid UTF-8 in column 1"},
		{"abcdefg\xff", "invalid UTF-8 in column 1"},
		{"é\x00", "NUL byte in column 1"},
		{"\xc3", "invalid UTF-8 in column 1"}, {"ab\x80", "invalid UTF-8 in column 1"},
	} {
		require.Equal(t, c.want, cellProblem(c.cell, 0), "%q", c.cell)
		require.Equal(t, slowCellProblem(c.cell, 0), cellProblem(c.cell, 0), "%q", c.cell)
	}
}

// FuzzCellProblem checks the ASCII fast path against the two full checks.
func FuzzCellProblem(f *testing.F) {
	for _, s := range []string{"", "abc", "12345678", "1234567\x00", "\xff", "é", "\x01\x01\x01\x01\x01\x01\x01\x00x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := cellProblem(s, 2), slowCellProblem(s, 2); got != want {
			t.Fatalf("%q: got %q, want %q", s, got, want)
		}
		if plainASCII(s) {
			for i := 0; i < len(s); i++ {
				if s[i] == 0 || s[i] >= utf8.RuneSelf {
					t.Fatalf("%q: byte %d is %#x, yet plain", s, i, s[i])
				}
			}
		}
	})
}
