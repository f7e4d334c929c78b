package statushttp

import (
	"encoding/base64"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func FuzzDecodePath(f *testing.F) {
	for _, s := range []string{"bXkvcGF0aC90by9maWxlICgyMDIwKS54bHN4", "YQ", "YQ==", "-_8", "!!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := decodePath(in)
		if err != nil {
			return
		}
		require.True(t, utf8.ValidString(out))
	})
}

func TestDecodePathRoundTrip(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"my/path/to/file (2020).xlsx", "æøå/ü.csv", "a", "?&=#+"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding} {
			got, err := decodePath(enc.EncodeToString([]byte(p)))
			require.NoError(t, err)
			require.Equal(t, p, got)
		}
	}
}
