package input

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCodeKind(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]cellKind{
		"yyyy-mm-dd":               kindDate,
		"dd/mm/yyyy":               kindDate,
		"d-mmm":                    kindDate,
		"mmm":                      kindDate,
		"hh:mm":                    kindTime,
		"[h]:mm:ss":                kindTime,
		"mm:ss":                    kindTime,
		"yyyy-mm-dd hh:mm:ss":      kindDateTime,
		`[$-409]m/d/yy h:mm AM/PM`: kindDateTime,
		"#,##0.00":                 kindNumber,
		"0.00%":                    kindNumber,
		`"day "0`:                  kindNumber, // quoted text is not a token
		`0\d`:                      kindNumber, // an escaped d neither
		"[Red]0.00;[Blue]-0.00":    kindNumber,
		"@":                        kindGeneral,
		"General":                  kindGeneral,
	} {
		require.Equal(t, want, codeKind(code), code)
	}
	require.Equal(t, kindDate, formatKind(14, nil))
	require.Equal(t, kindDateTime, formatKind(22, nil))
	require.Equal(t, kindTime, formatKind(46, nil))
	require.Equal(t, kindNumber, formatKind(4, nil))
	require.Equal(t, kindGeneral, formatKind(49, nil))
	require.Equal(t, kindDate, formatKind(4, map[int]string{4: "yyyy"}), "a custom code wins")
}

func FuzzCodeKind(f *testing.F) {
	for _, s := range []string{"yyyy-mm-dd", `"x"[h]:mm\d;@`, "[", `"`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		k := codeKind(code)
		require.True(t, k >= kindGeneral && k <= kindTime)
	})
}
