package pipeline_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
)

// FuzzBuild builds graphs with arbitrary edges, cycles included: Build
// either returns a topological order or reports a cycle that really exists.
func FuzzBuild(f *testing.F) {
	f.Add([]byte{3, 0, 1, 1, 2})
	f.Add([]byte{3, 0, 1, 1, 2, 2, 0})
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := int(data[0])%20 + 1
		edges := map[int][]int{}
		for i := 1; i+1 < len(data); i += 2 {
			a, b := int(data[i])%n, int(data[i+1])%n
			edges[a] = append(edges[a], b) // a depends on b
		}
		bl := pipeline.NewBuilder("g")
		for i := range n {
			var d []string
			for _, b := range edges[i] {
				d = append(d, fmt.Sprintf("t%d", b))
			}
			bl.Add(fmt.Sprintf("t%d", i), noop(), deps(d...))
		}
		p, err := bl.Build()
		if hasCycle(n, edges) {
			require.ErrorIs(t, err, pipeline.ErrInvalidPipeline)
			require.ErrorContains(t, err, "cycle: ")
			return
		}
		require.NoError(t, err)
		pos := map[string]int{}
		for i, name := range p.Tasks() {
			pos[name] = i
		}
		require.Len(t, pos, n)
		for a, bs := range edges {
			for _, b := range bs {
				require.Less(t, pos[fmt.Sprintf("t%d", b)], pos[fmt.Sprintf("t%d", a)])
			}
		}
	})
}

func hasCycle(n int, edges map[int][]int) bool {
	state := make([]int, n) // 0 new, 1 on stack, 2 done
	var visit func(int) bool
	visit = func(v int) bool {
		state[v] = 1
		for _, w := range edges[v] {
			if state[w] == 1 || (state[w] == 0 && visit(w)) {
				return true
			}
		}
		state[v] = 2
		return false
	}
	for v := range n {
		if state[v] == 0 && visit(v) {
			return true
		}
	}
	return false
}

// FuzzParseSpec feeds arbitrary documents to the spec parser and the
// registry: they must fail cleanly or build a pipeline, never panic.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"name":"p","tasks":[{"name":"a","type":"no_op"}]}`))
	f.Add([]byte("name: p\ntasks:\n  - {name: a, type: no_op, depends_on: [b]}\n  - {name: b, type: no_op}\n"))
	f.Add([]byte("name: [1, 2]\n"))
	f.Add([]byte(`{"name":"p","tasks":[{"name":"a","type":"http_fetch","params":{"url":5}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []fetchParams
		r := newRegistry(t, &got)
		p, err := r.Load(data)
		if err == nil {
			require.NotNil(t, p)
			require.NotEmpty(t, p.Name())
		}
	})
}
