package storagetest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/storage"
)

// badKeys are refused as object keys everywhere.
var badKeys = []string{
	"", "/abs/path", "a/../b", "..", "../x", "a/./b", ".", "a//b", "a/", "a\\b",
	"a\x00b", "tab\there", "new\nline", "del\x7f", strings.Repeat("k", 1025), "bad\xffutf8",
}

func testBadKeys(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	for _, k := range badKeys {
		calls := map[string]func() error{
			"WriteAll":  func() error { return b.WriteAll(ctx, k, []byte("x"), nil) },
			"NewWriter": func() error { _, err := b.NewWriter(ctx, k, nil); return err },
			"NewReader": func() error { _, err := b.NewReader(ctx, k); return err },
			"Attrs":     func() error { _, err := b.Attributes(ctx, k); return err },
			"Delete":    func() error { return b.Delete(ctx, k) },
			"Exists":    func() error { _, err := b.Exists(ctx, k); return err },
			"PutJSON":   func() error { return b.PutJSON(ctx, k, 1) },
		}
		for name, call := range calls {
			err := call()
			require.ErrorIs(t, err, storage.ErrInvalidKey, "%s(%q)", name, k)
			var ke *storage.KeyError
			require.ErrorAs(t, err, &ke, "%s(%q)", name, k)
			require.NotEmpty(t, ke.Reason)
			require.Contains(t, err.Error(), "invalid key")
		}
	}
	// Names that would escape a task directory, or are no single name.
	task := b.Run("dag", "run").Task("t")
	for _, name := range []string{"../other/x", "../../../etc/passwd", "/etc/passwd", "a/../../b", "", "x/", "a//b", "..\\x"} {
		_, err := task.Put(ctx, name, strings.NewReader("x"), nil)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "task file %q", name)
		_, err = task.Key(name)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "task key %q", name)
	}
	for _, bad := range [][3]string{{"", "r", "t"}, {"d", "..", "t"}, {"d", "r", "a/b"}, {"d/x", "r", "t"}, {"d", "r", "."}, {"d", "r\n", "t"}} {
		task := b.Run(bad[0], bad[1]).Task(bad[2])
		require.ErrorIs(t, task.Err(), storage.ErrInvalidKey, "%q", bad)
		require.ErrorIs(t, task.PutJSON(ctx, "x.json", 1), storage.ErrInvalidKey, "%q", bad)
		_, err := task.Files(ctx)
		require.ErrorIs(t, err, storage.ErrInvalidKey)
	}
	_, err := b.Run("d", "").Tasks(ctx)
	require.ErrorIs(t, err, storage.ErrInvalidKey)
	for _, p := range []string{"/abs/", "a//", "../", "a/../"} {
		_, err := b.ListAll(ctx, p)
		require.ErrorIs(t, err, storage.ErrInvalidKey, "list prefix %q", p)
	}
	_, err = b.ListDirs(ctx, "no-slash")
	require.ErrorIs(t, err, storage.ErrInvalidKey)
	// Nothing was written by any refused call.
	require.Empty(t, listKeys(t, b, ""))
}

func testRunLayout(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	run := b.Run("ckan_load", "2024-05-01T00-00-00")
	require.NoError(t, run.Err())
	require.Equal(t, "ckan_load/2024-05-01T00-00-00/", run.Prefix())
	extract := run.Task("extract")
	require.Equal(t, "ckan_load/2024-05-01T00-00-00/extract/", extract.Prefix())

	// The upstream task writes data and metadata.
	_, err := extract.Put(ctx, "data.csv", strings.NewReader("id\n1\n2\n"), nil)
	require.NoError(t, err)
	_, err = extract.Put(ctx, "parts/0001.csv", strings.NewReader("id\n3\n"), nil)
	require.NoError(t, err)
	require.NoError(t, extract.PutJSON(ctx, "meta.json", map[string]int{"rows": 2}))
	w, err := run.Task("load").NewWriter(ctx, "report.txt", nil)
	require.NoError(t, err)
	_, err = io.WriteString(w, "loaded 2 rows")
	require.NoError(t, err)
	require.NoError(t, w.Close())
	// Another run and another DAG must not show up.
	put(t, b, "ckan_load/other-run/extract/data.csv", "x")
	put(t, b, "ckan_load2/2024-05-01T00-00-00/extract/data.csv", "x")

	tasks, err := run.Tasks(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"extract", "load"}, tasks)
	files, err := run.Files(ctx)
	require.NoError(t, err)
	p := run.Prefix()
	require.Equal(t, []string{p + "extract/data.csv", p + "extract/meta.json", p + "extract/parts/0001.csv", p + "load/report.txt"}, keys(files))
	tfiles, err := extract.Files(ctx)
	require.NoError(t, err)
	var names []string
	for _, f := range tfiles {
		name, ok := extract.RelName(f.Key)
		require.True(t, ok)
		names = append(names, name)
	}
	require.Equal(t, []string{"data.csv", "meta.json", "parts/0001.csv"}, names)

	// A downstream task in a fresh process reads the upstream outputs.
	b2 := open(t, h)
	load := b2.Run("ckan_load", "2024-05-01T00-00-00").Task("load")
	r, err := load.Run().Task("extract").NewReader(ctx, "data.csv")
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = io.Copy(&buf, r)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.Equal(t, "id\n1\n2\n", buf.String())
	require.Equal(t, int64(buf.Len()), r.Size())
	var meta map[string]int
	require.NoError(t, load.Run().Task("extract").GetJSON(ctx, "meta.json", &meta))
	require.Equal(t, map[string]int{"rows": 2}, meta)

	require.NoError(t, extract.Delete(ctx, "parts/0001.csv"))
	tfiles, err = extract.Files(ctx)
	require.NoError(t, err)
	require.Len(t, tfiles, 2)
}

type jsonDoc struct {
	Name    string            `json:"name"`
	Count   int64             `json:"count"`
	Ratio   float64           `json:"ratio"`
	Tags    []string          `json:"tags"`
	Labels  map[string]string `json:"labels"`
	Nested  *jsonDoc          `json:"nested,omitempty"`
	Nothing *string           `json:"nothing"`
}

func testJSONRoundTrip(t *testing.T, h *Harness) {
	ctx := t.Context()
	b := open(t, h)
	task := b.Run("dag", "run").Task("meta")
	in := jsonDoc{
		Name: "Ünïcødé ✓ \"quoted\" <tag>", Count: 1 << 53, Ratio: 0.1,
		Tags: []string{"a", "b"}, Labels: map[string]string{"k": "v"},
		Nested: &jsonDoc{Name: "inner", Tags: []string{}},
	}
	require.NoError(t, task.PutJSON(ctx, "doc.json", in))
	var out jsonDoc
	require.NoError(t, task.GetJSON(ctx, "doc.json", &out))
	require.Equal(t, in, out)
	// Generic values round-trip too, and the stored text is JSON.
	require.NoError(t, task.PutJSON(ctx, "list.json", []any{1.5, "x", true, nil}))
	var anyOut []any
	require.NoError(t, task.GetJSON(ctx, "list.json", &anyOut))
	require.Equal(t, []any{1.5, "x", true, nil}, anyOut)
	raw, err := b.ReadAll(ctx, task.Prefix()+"list.json")
	require.NoError(t, err)
	require.Contains(t, string(raw), `"x"`)
	a, err := b.Attributes(ctx, task.Prefix()+"list.json")
	require.NoError(t, err)
	require.Equal(t, "application/json", a.ContentType)
	// Unencodable values fail before anything is written.
	require.Error(t, task.PutJSON(ctx, "bad.json", map[string]any{"f": func() {}}))
	ok, err := b.Exists(ctx, task.Prefix()+"bad.json")
	require.NoError(t, err)
	require.False(t, ok)
}
