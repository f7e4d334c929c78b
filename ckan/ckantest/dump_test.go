package ckantest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDump(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			opts := be.opts(t)
			if opts == nil {
				opts = &Options{}
			}
			opts.RowsMax = 3 // the dump pages through several searches
			b := setup(t, backend{name: be.name, opts: func(*testing.T) *Options { return opts }})
			var recs []any
			for i := 1; i <= 7; i++ {
				recs = append(recs, map[string]any{"name": fmt.Sprintf("n,%d", i), "v": i})
			}
			b.create(t, map[string]any{"fields": []any{field("name", "text"), field("v", "int")}, "records": recs})
			get := func(query string) (int, string) {
				resp, err := http.Get(b.s.URL() + "/datastore/dump/" + b.datastoreID + query)
				require.NoError(t, err)
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp.StatusCode, string(body)
			}
			status, body := get("")
			require.Equal(t, http.StatusOK, status)
			lines := strings.Split(strings.TrimSpace(body), "\n")
			require.Len(t, lines, 8)
			require.Equal(t, "_id,name,v", lines[0])
			require.Equal(t, `1,"n,1",1`, lines[1])
			require.Equal(t, `7,"n,7",7`, lines[7])

			status, body = get("?format=tsv&offset=2&limit=4&fields=v&sort=v%20desc")
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, "v\n5\n4\n3\n2\n", body)

			status, body = get(`?format=json&filters={"v":2}`)
			require.Equal(t, http.StatusOK, status)
			var js struct {
				Fields  []map[string]any
				Records [][]any
			}
			require.NoError(t, json.Unmarshal([]byte(body), &js))
			require.Equal(t, [][]any{{2.0, "n,2", 2.0}}, js.Records)

			status, _ = get("?format=xml")
			require.Equal(t, http.StatusBadRequest, status)
			resp, err := http.Get(b.s.URL() + "/datastore/dump/nothing")
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusNotFound, resp.StatusCode)
		})
	}
}
