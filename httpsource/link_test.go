package httpsource_test

import (
	"testing"

	"github.com/datafactory/datafactory/httpsource"
	"github.com/stretchr/testify/require"
)

func TestParseLinkHeader(t *testing.T) {
	t.Parallel()
	links, err := httpsource.ParseLinkHeader(`<https://api.test/items?page=2&x=a,b>; rel="next last", </items?page=1>;rel=first;title="a \"q\", b" , <x>`)
	require.NoError(t, err)
	require.Len(t, links, 3)
	require.Equal(t, "https://api.test/items?page=2&x=a,b", links[0].Target)
	require.True(t, links[0].HasRel("next"))
	require.True(t, links[0].HasRel("LAST"))
	require.False(t, links[1].HasRel("next"))
	require.Equal(t, `a "q", b`, links[1].Params["title"])
	require.Equal(t, "x", links[2].Target)

	for _, bad := range []string{`https://x; rel=next`, `<x`, `<x>; rel="next`, `<x> rel=next`, `<x>; =a`, `<x>; rel="a\`} {
		_, err := httpsource.ParseLinkHeader(bad)
		require.Error(t, err, bad)
	}
}

func FuzzParseLinkHeader(f *testing.F) {
	f.Add(`<https://api.test/items?page=2>; rel="next", <https://api.test/items?page=9>; rel="last"`)
	f.Add(`<x>; a; b=c; d="e\"f"`)
	f.Fuzz(func(t *testing.T, h string) {
		links, err := httpsource.ParseLinkHeader(h)
		if err != nil {
			return
		}
		for _, l := range links {
			require.NotContains(t, l.Target, ">")
			for k := range l.Params {
				require.NotEmpty(t, k)
			}
		}
	})
}
