package avrobak_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// systemPython is Debian's interpreter, for which python3-avro installs.
const systemPython = "/usr/bin/python3"

// pythonAvro returns the interpreter, or skips the test when Apache Avro's
// Python library is not importable (CI installs python3-avro).
func pythonAvro(t *testing.T) string {
	t.Helper()
	if out, err := exec.Command(systemPython, "-c", "import avro.datafile").CombinedOutput(); err != nil {
		t.Skipf("skipping interop test: %s cannot import avro (install Debian's python3-avro): %v: %s",
			systemPython, err, bytes.TrimSpace(out))
	}
	return systemPython
}

// runPython runs testdata/interop.py and returns its standard output.
func runPython(t *testing.T, args ...string) []byte {
	t.Helper()
	py := pythonAvro(t)
	cmd := exec.Command(py, append([]string{filepath.Join("testdata", "interop.py")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "interop.py %v: %s", args, stderr.String())
	return out
}

func decodeJSONNumbers(t *testing.T, p []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(p))
	d.UseNumber()
	require.NoError(t, d.Decode(v))
}

// interopRows are allTypesRows plus a row whose datetime and time carry
// non-UTC offsets.
func interopRows(t *testing.T) []frictionless.Row {
	rows := allTypesRows(t)
	extra := slices.Clone(rows[0])
	extra[0] = int64(42)
	extra[8] = time.Date(2024, 3, 10, 1, 2, 3, 456789000, time.FixedZone("", 5*3600+1800))
	extra[9] = time.Date(0, 1, 1, 23, 0, 0, 1000, time.FixedZone("", -8*3600))
	return append(rows, extra)
}

func TestPythonReadsOurFiles(t *testing.T) {
	t.Parallel()
	var supported []string
	decodeJSONNumbers(t, runPython(t, "codecs"), &supported)
	codecs := []avrobak.Codec{avrobak.CodecNull, avrobak.CodecDeflate, avrobak.CodecSnappy, avrobak.CodecZstandard}
	tested := 0
	for _, codec := range codecs {
		if !slices.Contains(supported, string(codec)) {
			t.Logf("python avro lacks codec %s (supports %v); not compared", codec, supported)
			continue
		}
		tested++
		t.Run(string(codec), func(t *testing.T) {
			t.Parallel()
			schema, rows := allTypesSchema(), interopRows(t)
			p, _ := writeFile(t, schema, rows, &avrobak.WriterOptions{Codec: codec, BlockSize: 300, Table: "interop"})
			path := filepath.Join(t.TempDir(), "backup.avro")
			require.NoError(t, os.WriteFile(path, p, 0o600))
			var got struct {
				Codec   string            `json:"codec"`
				Meta    map[string]string `json:"meta"`
				Records []map[string]any  `json:"records"`
			}
			decodeJSONNumbers(t, runPython(t, "read", path), &got)
			require.Equal(t, string(codec), got.Codec)
			require.Equal(t, strconv.Itoa(len(rows)), got.Meta[avrobak.MetaRows])
			require.Len(t, got.Records, len(rows))
			for i, row := range rows {
				for j := range schema.Fields {
					requirePythonValue(t, &schema.Fields[j], row[j], got.Records[i], "row %d field %s", i, schema.Fields[j].Name)
				}
			}
		})
	}
	require.Positive(t, tested, "python avro supports none of our codecs")
}

// requirePythonValue compares a value decoded by Python (rendered by
// interop.py) with the row value we wrote.
func requirePythonValue(t *testing.T, f *frictionless.Field, want any, rec map[string]any, msg ...any) {
	t.Helper()
	got, ok := rec[f.Name]
	require.True(t, ok, msg...)
	if want == nil {
		require.Nil(t, got, msg...)
		return
	}
	text := func() string {
		switch g := got.(type) {
		case string:
			return g
		case json.Number:
			return g.String()
		}
		p, err := json.Marshal(got)
		require.NoError(t, err, msg...)
		return string(p)
	}
	switch f.Type {
	case frictionless.TypeInteger, frictionless.TypeYear:
		require.Equal(t, strconv.FormatInt(want.(int64), 10), text(), msg...)
	case frictionless.TypeNumber:
		if d, ok := want.(frictionless.Decimal); ok {
			requireCellEqual(t, d, mustDecimal(t, text()), msg...)
			return
		}
		g, err := strconv.ParseFloat(text(), 64)
		require.NoError(t, err, msg...)
		require.Equal(t, want.(float64), g, msg...)
	case frictionless.TypeDate, frictionless.TypeYearMonth:
		require.Equal(t, want.(time.Time).Format(time.DateOnly), text(), msg...)
	case frictionless.TypeDateTime:
		g, err := time.Parse(time.RFC3339Nano, text())
		require.NoError(t, err, msg...)
		require.True(t, want.(time.Time).Equal(g), msg...)
		requirePythonOffset(t, want.(time.Time), rec[f.Name+"_utcoffset"], msg...)
	case frictionless.TypeTime:
		g, err := time.Parse("15:04:05.999999", text())
		require.NoError(t, err, msg...)
		w := want.(time.Time)
		require.Equal(t, time.Date(0, 1, 1, w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC), g, msg...)
		requirePythonOffset(t, w, rec[f.Name+"_utcoffset"], msg...)
	case frictionless.TypeObject, frictionless.TypeArray, frictionless.TypeGeoJSON:
		p, err := json.Marshal(want)
		require.NoError(t, err, msg...)
		require.JSONEq(t, string(p), text(), msg...)
	default:
		require.Equal(t, want, got, msg...)
	}
}

func requirePythonOffset(t *testing.T, want time.Time, got any, msg ...any) {
	t.Helper()
	_, off := want.Zone()
	require.Equal(t, json.Number(strconv.Itoa(off)), got, msg...)
}

func TestWeReadPythonFiles(t *testing.T) {
	t.Parallel()
	var codecs []string
	decodeJSONNumbers(t, runPython(t, "codecs"), &codecs)
	for _, codec := range codecs {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "python.avro")
			runPython(t, "write", path, codec)
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			r, err := avrobak.NewReader(f, nil)
			require.NoError(t, err)
			require.False(t, r.HasTableSchema())
			require.Equal(t, avrobak.Codec(codec), r.Codec())
			_, ok := r.RecordedRows()
			require.False(t, ok)
			requirePythonSchema(t, r.Schema())
			var rows []frictionless.Row
			for {
				row, err := r.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				rows = append(rows, row)
			}
			requireRowsEqual(t, pythonRows(t), rows)
		})
	}
}

// requirePythonSchema checks the Table Schema derived from interop.py's
// Avro schema.
func requirePythonSchema(t *testing.T, s *frictionless.Schema) {
	t.Helper()
	type fieldWant struct {
		name     string
		typ      frictionless.FieldType
		format   string
		required bool
	}
	wantFields := []fieldWant{
		{"id", "integer", "", true}, {"big", "integer", "", true}, {"name", "string", "", false},
		{"score", "number", "", false}, {"ratio", "number", "", true}, {"ok", "boolean", "", true},
		{"day", "date", "", true}, {"at", "datetime", "", false}, {"at_ms", "datetime", "", true},
		{"clock", "time", "", true}, {"amount", "number", "", true}, {"id2", "string", "uuid", true},
		{"blob", "string", "binary", true}, {"color", "string", "", true}, {"tags", "array", "", true},
		{"attrs", "object", "", true}, {"point", "object", "", true},
	}
	require.Len(t, s.Fields, len(wantFields))
	for i, w := range wantFields {
		f := s.Fields[i]
		require.Equal(t, w, fieldWant{f.Name, f.Type, f.Format, f.Constraints.Required})
	}
	require.Equal(t, 10, s.Fields[10].Precision)
	require.Equal(t, 3, s.Fields[10].Scale)
	require.Equal(t, []any{"RED", "GREEN"}, s.Fields[13].Constraints.Enum)
}

// pythonRows are the rows interop.py writes, as frictionless values.
func pythonRows(t testing.TB) []frictionless.Row {
	utc := time.UTC
	return []frictionless.Row{
		{
			int64(1), int64(1<<63 - 1), "Zoë ✓", 1.5, 0.5, true, time.Date(2024, 2, 29, 0, 0, 0, 0, utc),
			time.Date(2024, 2, 29, 12, 30, 45, 123456000, utc), time.Date(1999, 12, 31, 23, 59, 59, 999000000, utc),
			time.Date(0, 1, 1, 8, 30, 0, 1000, utc), mustDecimal(t, "-1234567.891"),
			"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "AP9oaQ==", "GREEN", []any{"a", "b"},
			map[string]any{"k": json.Number("-1")}, map[string]any{"x": json.Number("1.25"), "y": json.Number("-2")},
		},
		{
			int64(2), int64(-1 << 63), nil, nil, -2.0, false, time.Date(1901, 1, 1, 0, 0, 0, 0, utc),
			nil, time.Date(1970, 1, 1, 0, 0, 0, 0, utc), time.Date(0, 1, 1, 0, 0, 0, 0, utc), mustDecimal(t, "0.000"),
			"00000000-0000-0000-0000-000000000000", "", "RED", []any{}, map[string]any{},
			map[string]any{"x": json.Number("0"), "y": json.Number("0")},
		},
	}
}

func TestRestorePythonFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "python.avro")
	runPython(t, "write", path)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			store := b.open(t)
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			rep, err := avrobak.Restore(context.Background(), f, store, "sample", nil)
			require.NoError(t, err)
			require.True(t, rep.Foreign)
			require.True(t, rep.Created)
			require.Equal(t, int64(2), rep.Rows)
			_, got := tableRows(t, store, "sample")
			requireRowsEqual(t, pythonRows(t), got)
		})
	}
}
