package pipeline_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
)

func noop() pipeline.Task {
	return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error { return nil })
}

func deps(d ...string) *pipeline.TaskOptions { return &pipeline.TaskOptions{DependsOn: d} }

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func() *pipeline.Builder
		want  []string
	}{
		{"duplicate", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("a", noop(), nil).Add("a", noop(), nil)
		}, []string{`duplicate task name "a"`}},
		{"unknown dep", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("a", noop(), deps("ghost"))
		}, []string{`task a depends on unknown task "ghost"`}},
		{"self cycle", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("a", noop(), deps("a"))
		}, []string{"cycle: a → a"}},
		{"cycle", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("start", noop(), nil).
				Add("a", noop(), deps("start", "c")).Add("b", noop(), deps("a")).Add("c", noop(), deps("b"))
		}, []string{"cycle: ", "a → b → c → a"}},
		{"bad names", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("../x", noop(), nil).Add("", noop(), nil)
		}, []string{`invalid name "../x"`, `invalid name ""`}},
		{"bad pipeline name", func() *pipeline.Builder { return pipeline.NewBuilder("a/b") }, []string{`invalid name "a/b"`}},
		{"nil task", func() *pipeline.Builder { return pipeline.NewBuilder("p").Add("a", nil, nil) }, []string{"task a: nil Task"}},
		{"bad rule", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("a", noop(), &pipeline.TaskOptions{TriggerRule: "one_failed"})
		}, []string{`unknown trigger rule "one_failed"`}},
		{"bad conf schema", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("a", noop(), nil).ConfSchema([]byte(`{"type": 5}`))
		}, []string{"conf schema"}},
		{"consumer depends on its producer", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("fetch", noop(), &pipeline.TaskOptions{Feeds: []string{"pages"}}).
				Add("insert", noop(), &pipeline.TaskOptions{DependsOn: []string{"fetch"}, Consumes: []string{"pages"}})
		}, []string{`task insert consumes queue "pages" but depends on fetch, which feeds it`}},
		{"consumer depends on its producer through another task", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("fetch", noop(), &pipeline.TaskOptions{Feeds: []string{"pages"}}).
				Add("create", noop(), deps("fetch")).
				Add("insert", noop(), &pipeline.TaskOptions{DependsOn: []string{"create"}, Consumes: []string{"pages"}})
		}, []string{`task insert consumes queue "pages" but depends on fetch`}},
		{"consumed queue nobody feeds", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("insert", noop(), &pipeline.TaskOptions{Consumes: []string{"pages"}})
		}, []string{`task insert consumes queue "pages", which no task feeds`}},
		{"bad consumed queue name", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("insert", noop(), &pipeline.TaskOptions{Consumes: []string{"a/b"}})
		}, []string{`task insert: queue: invalid name "a/b"`}},
		{"several at once", func() *pipeline.Builder {
			return pipeline.NewBuilder("p").Add("a", noop(), deps("x")).Add("a", noop(), nil).Add("b", noop(), deps("y"))
		}, []string{`unknown task "x"`, `duplicate task name "a"`, `unknown task "y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.build().Build()
			require.Nil(t, p)
			require.ErrorIs(t, err, pipeline.ErrInvalidPipeline)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestBuildOrderAndUpstream(t *testing.T) {
	t.Parallel()
	p, err := pipeline.NewBuilder("p").
		Add("final", noop(), deps("insert", "check")).
		Add("insert", noop(), deps("create")).
		Add("create", noop(), deps("check")).
		Add("check", noop(), nil).
		Add("fetch", noop(), nil).Build()
	require.NoError(t, err)
	order := p.Tasks()
	pos := map[string]int{}
	for i, n := range order {
		pos[n] = i
	}
	require.Len(t, order, 5)
	require.Less(t, pos["check"], pos["create"])
	require.Less(t, pos["create"], pos["insert"])
	require.Less(t, pos["insert"], pos["final"])
	up, err := p.Upstream("final")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"insert", "check"}, up)
	_, err = p.Upstream("nope")
	require.ErrorIs(t, err, pipeline.ErrUnknownTask)
	require.Equal(t, "p", p.Name())
}

func TestBuildAcceptsConsumers(t *testing.T) {
	t.Parallel()
	_, err := pipeline.NewBuilder("p").
		Add("create", noop(), nil).
		Add("fetch", noop(), &pipeline.TaskOptions{Feeds: []string{"pages"}}).
		Add("insert", noop(), &pipeline.TaskOptions{DependsOn: []string{"create"}, Consumes: []string{"pages"}, Instances: 3}).
		Add("swap", noop(), deps("fetch", "insert")).Build()
	require.NoError(t, err, "a consumer beside its producer, both before the swap")
}
