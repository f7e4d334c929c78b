package ckantest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			b := setup(t, be)
			b.create(t, map[string]any{
				"fields":      []any{map[string]any{"id": "name", "type": "text"}, map[string]any{"id": "n", "type": "numeric"}, map[string]any{"id": "ts", "type": "timestamp"}},
				"primary_key": "name",
				"records":     []any{map[string]any{"name": "a", "n": num("1.10"), "ts": "2020-01-01T10:11:12.5+02:00"}},
			})
			r := b.search(t, map[string]any{"resource_id": b.datastoreID})
			t.Logf("%v", r)
			require.Len(t, r["records"], 1)
		})
	}
}
