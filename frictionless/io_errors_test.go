package frictionless

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadFailures(t *testing.T) {
	t.Parallel()
	broken := func() *failingReader { return &failingReader{bytes.NewReader([]byte(`{"fields":`))} }
	_, err := ReadSchema(broken())
	require.EqualError(t, err, "frictionless: read schema: disk on fire")
	_, err = ReadResource(broken())
	require.EqualError(t, err, "frictionless: read resource: disk on fire")
	_, err = ReadPackage(broken())
	require.EqualError(t, err, "frictionless: read package: disk on fire")
	_, err = Infer(&failingReader{bytes.NewReader(nil)}, nil)
	require.EqualError(t, err, "frictionless: infer: read header: disk on fire")

	_, err = LoadSchema(context.Background(), "http://127.0.0.1:1/schema.json?key=secret")
	require.ErrorContains(t, err, "frictionless: GET http://127.0.0.1:1/schema.json?...: ")
	require.NotContains(t, err.Error(), "secret")
	_, err = LoadSchema(context.Background(), "http://user:pw@[::1/x")
	require.ErrorContains(t, err, "frictionless: GET <invalid URL>: ")
	require.NotContains(t, err.Error(), "pw")

	var buf bytes.Buffer
	s := &Schema{Fields: []Field{{Name: "o", Type: TypeObject}}}
	err = NewWriter(&buf, s, nil).Write(Row{map[string]any{"f": func() {}}})
	require.ErrorContains(t, err, `frictionless: write field "o": format object value: json: unsupported type: func()`)
	require.Error(t, (&Schema{Extra: map[string]json.RawMessage{"x": json.RawMessage("{")}}).Write(&buf))
	require.Error(t, (&Resource{Data: json.RawMessage("[")}).Write(&buf))
	require.Error(t, (&Package{Extra: map[string]json.RawMessage{"x": json.RawMessage("{")}}).Write(&buf))
	require.Error(t, (&Resource{Name: "r"}).Write(errWriter{}))
	require.Error(t, (&Package{}).Write(errWriter{}))
	require.Error(t, (&Schema{}).Write(errWriter{}))
}
