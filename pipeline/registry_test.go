package pipeline_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline"
)

type fetchParams struct {
	URL     string `json:"url"`
	Method  string `json:"method"`
	Retries int    `json:"retries"`
	Headers struct {
		Accept string `json:"accept"`
	} `json:"headers"`
}

func newRegistry(t *testing.T, got *[]fetchParams) *pipeline.Registry {
	t.Helper()
	r := pipeline.NewRegistry()
	require.NoError(t, r.Register(pipeline.TaskType{
		Name: "http_fetch", Description: "fetch a URL",
		ParamsSchema: json.RawMessage(`{
			"type": "object", "required": ["url"], "additionalProperties": false,
			"properties": {
				"url": {"type": "string", "pattern": "^https?://"},
				"method": {"enum": ["GET", "POST"], "default": "GET"},
				"retries": {"type": "integer", "minimum": 0},
				"headers": {"type": "object", "default": {}, "properties": {"accept": {"type": "string", "default": "application/json"}}}
			}}`),
		New: func(params json.RawMessage) (pipeline.Task, error) {
			var p fetchParams
			if err := json.Unmarshal(params, &p); err != nil {
				return nil, err
			}
			return pipeline.TaskFunc(func(context.Context, *pipeline.TaskContext) error {
				*got = append(*got, p)
				return nil
			}), nil
		},
	}))
	require.NoError(t, r.Register(pipeline.TaskType{Name: "no_op", New: func(json.RawMessage) (pipeline.Task, error) { return noop(), nil }}))
	return r
}

func TestRegistryLoadsYAMLAndJSON(t *testing.T) {
	t.Parallel()
	specs := map[string]string{
		"yaml": `
name: ingest
tasks:
  - name: fetch
    type: http_fetch
    params: {url: "https://example.org/data"}
    retries: 2
    retry_delay: 5s
  - name: done
    type: no_op
    depends_on: [fetch]
`,
		"json": `{"name": "ingest", "tasks": [
			{"name": "fetch", "type": "http_fetch", "params": {"url": "https://example.org/data"}, "retries": 2, "retry_delay": "5s"},
			{"name": "done", "type": "no_op", "depends_on": ["fetch"]}]}`,
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []fetchParams
			r := newRegistry(t, &got)
			p, err := r.Load([]byte(spec))
			require.NoError(t, err)
			require.Equal(t, []string{"fetch", "done"}, p.Tasks())
			typ, params, err := p.TaskType("fetch")
			require.NoError(t, err)
			require.Equal(t, "http_fetch", typ)
			require.JSONEq(t, `{"url":"https://example.org/data","method":"GET","headers":{"accept":"application/json"}}`, string(params))
			_, err = pipeline.Run(context.Background(), p, nil, nil)
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Equal(t, "GET", got[0].Method, "schema default applied")
			require.Equal(t, "application/json", got[0].Headers.Accept, "nested default applied")
		})
	}
}

func TestRegistryRejectsBadParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		spec   string
		target error
		want   []string
	}{
		{"missing required", `{"name":"p","tasks":[{"name":"f","type":"http_fetch","params":{}}]}`,
			pipeline.ErrInvalidParams, []string{"task f (type http_fetch): params field /url"}},
		{"wrong type nested", `{"name":"p","tasks":[{"name":"f","type":"http_fetch","params":{"url":"http://x","headers":{"accept":5}}}]}`,
			pipeline.ErrInvalidParams, []string{"params field /headers/accept"}},
		{"every bad task reported", `
name: p
tasks:
  - {name: one, type: http_fetch, params: {url: "ftp://x"}}
  - {name: two, type: http_fetch, params: {url: "http://x", retries: -1}}
  - {name: three, type: no_op, params: {unexpected: 1}}
`, pipeline.ErrInvalidParams, []string{"task one (type http_fetch): params field /url", "task two (type http_fetch): params field /retries", "task three (type no_op)"}},
		{"unknown type", `{"name":"p","tasks":[{"name":"f","type":"ghost"}]}`, pipeline.ErrUnknownTaskType, []string{`task f: unknown task type: "ghost"`}},
		{"unknown spec field", `{"name":"p","tasks":[{"name":"f","type":"no_op","colour":"red"}]}`, nil, []string{`unknown field "colour"`}},
		{"cycle", `{"name":"p","tasks":[{"name":"a","type":"no_op","depends_on":["b"]},{"name":"b","type":"no_op","depends_on":["a"]}]}`,
			pipeline.ErrInvalidPipeline, []string{"cycle: a → b → a"}},
		{"bad timeout", `{"name":"p","tasks":[{"name":"a","type":"no_op","timeout":"soon"}]}`, nil, []string{"task a: timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []fetchParams
			r := newRegistry(t, &got)
			p, err := r.Load([]byte(tt.spec))
			require.Nil(t, p)
			require.Error(t, err)
			if tt.target != nil {
				require.ErrorIs(t, err, tt.target)
			}
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
			require.Empty(t, got, "no task ran")
		})
	}
}

func TestRegistryTypes(t *testing.T) {
	t.Parallel()
	var got []fetchParams
	r := newRegistry(t, &got)
	types := r.Types()
	require.Len(t, types, 2)
	require.Equal(t, "http_fetch", types[0].Name)
	require.Equal(t, "fetch a URL", types[0].Description)
	require.Contains(t, string(types[0].ParamsSchema), `"required": ["url"]`)
	require.Equal(t, "no_op", types[1].Name)
	require.JSONEq(t, `{"type":"object","maxProperties":0}`, string(types[1].ParamsSchema))

	mk := func(json.RawMessage) (pipeline.Task, error) { return noop(), nil }
	require.ErrorIs(t, r.Register(pipeline.TaskType{Name: "no_op", New: mk}), pipeline.ErrTypeExists)
	require.ErrorContains(t, r.Register(pipeline.TaskType{Name: "bad name", New: mk}), "invalid name")
	require.ErrorContains(t, r.Register(pipeline.TaskType{Name: "x", New: mk, ParamsSchema: json.RawMessage(`{"type":1}`)}), "compile schema")
	require.ErrorContains(t, r.Register(pipeline.TaskType{Name: "y"}), "New is nil")
}

func TestSpecConfSchema(t *testing.T) {
	t.Parallel()
	var got []fetchParams
	r := newRegistry(t, &got)
	p, err := r.Load([]byte(`
name: with-conf
conf_schema: {type: object, required: [resource_id]}
tasks:
  - {name: a, type: no_op, timeout: 1m, trigger_rule: all_done, instances: 2}
`))
	require.NoError(t, err)
	require.JSONEq(t, `{"type":"object","required":["resource_id"]}`, string(p.ConfSchema()))
	_, err = pipeline.Run(context.Background(), p, json.RawMessage(`{}`), nil)
	require.ErrorIs(t, err, pipeline.ErrInvalidConf)
	sum, err := pipeline.Run(context.Background(), p, json.RawMessage(`{"resource_id":"r"}`), nil)
	require.NoError(t, err)
	require.Equal(t, 1, sum.Tasks[0].Attempts, "each of the two instances ran once")
	require.Len(t, sum.Tasks[0].Instances, 2)
}
