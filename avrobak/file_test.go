package avrobak_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/avrobak"
	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

func stringReader(s string) io.Reader { return strings.NewReader(s) }

// writeFile writes rows with a Writer and returns the file.
func writeFile(t testing.TB, s *frictionless.Schema, rows []frictionless.Row, opts *avrobak.WriterOptions) ([]byte, avrobak.WriteReport) {
	t.Helper()
	var buf bytes.Buffer
	w, err := avrobak.NewWriter(&buf, s, int64(len(rows)), opts)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Close())
	return buf.Bytes(), w.Report()
}

// readFile reads every row of a file.
func readFile(t testing.TB, p []byte) (*avrobak.Reader, []frictionless.Row) {
	t.Helper()
	r, err := avrobak.NewReader(bytes.NewReader(p), nil)
	require.NoError(t, err)
	var rows []frictionless.Row
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		rows = append(rows, row)
	}
	require.NoError(t, r.Close())
	return r, rows
}

func TestWriterReaderRoundTrip(t *testing.T) {
	t.Parallel()
	codecs := []avrobak.Codec{avrobak.CodecNull, avrobak.CodecDeflate, avrobak.CodecSnappy, avrobak.CodecZstandard}
	for _, codec := range codecs {
		for _, blockSize := range []int{1, 0} { // one row per block; default
			t.Run(string(codec), func(t *testing.T) {
				t.Parallel()
				schema := allTypesSchema()
				rows := allTypesRows(t)
				p, rep := writeFile(t, schema, rows, &avrobak.WriterOptions{Codec: codec, BlockSize: blockSize, Table: "all types"})
				sum := sha256.Sum256(p)
				require.Equal(t, hex.EncodeToString(sum[:]), rep.SHA256)
				require.Equal(t, int64(len(p)), rep.Bytes)
				require.Equal(t, int64(len(rows)), rep.Rows)
				require.Equal(t, codec, rep.Codec)

				r, got := readFile(t, p)
				requireRowsEqual(t, rows, got)
				require.True(t, r.HasTableSchema())
				require.Equal(t, schema.FieldNames(), r.Schema().FieldNames())
				require.Equal(t, []string{"id"}, r.Schema().PrimaryKey)
				require.Equal(t, codec, r.Codec())
				require.Equal(t, "all types", r.Table())
				n, ok := r.RecordedRows()
				require.True(t, ok)
				require.Equal(t, int64(len(rows)), n)
			})
		}
	}
}

func TestTimeOffsetsKept(t *testing.T) {
	t.Parallel()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "at", Type: frictionless.TypeDateTime},
		{Name: "clock", Type: frictionless.TypeTime, Constraints: frictionless.Constraints{Required: true}},
	}}
	kolkata := time.FixedZone("", 5*3600+1800)
	la := time.FixedZone("", -8*3600)
	rows := []frictionless.Row{
		{time.Date(2024, 3, 10, 1, 59, 59, 999999000, kolkata), time.Date(0, 1, 1, 23, 0, 0, 1000, la)},
		{time.Date(1850, 1, 1, 0, 0, 0, 0, la), time.Date(0, 1, 1, 0, 0, 0, 0, kolkata)},
		{nil, time.Date(0, 1, 1, 12, 0, 0, 0, time.UTC)},
	}
	p, _ := writeFile(t, schema, rows, nil)
	_, got := readFile(t, p)
	requireRowsEqual(t, rows, got)
	require.Equal(t, "2024-03-10T01:59:59.999999+05:30", got[0][0].(time.Time).Format(time.RFC3339Nano))
}

// update rewrites the golden files: go test ./avrobak -run Golden -update
var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestAvroSchemaGolden(t *testing.T) {
	t.Parallel()
	p, err := avrobak.AvroSchema(allTypesSchema(), "all types")
	require.NoError(t, err)
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, p, "", "  "))
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "all_types.avsc")
	if *update {
		require.NoError(t, os.WriteFile(golden, pretty.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), pretty.String(), "run with -update after an intended change")
}

func TestAvroNamesSanitised(t *testing.T) {
	t.Parallel()
	schema := &frictionless.Schema{Fields: []frictionless.Field{
		{Name: "first name"}, {Name: "first_name"}, {Name: "2nd"}, {Name: "prix €"},
	}}
	p, _ := writeFile(t, schema, []frictionless.Row{{"a", "b", "c", "d"}}, &avrobak.WriterOptions{Codec: avrobak.CodecNull})
	r, rows := readFile(t, p)
	require.Equal(t, []string{"first name", "first_name", "2nd", "prix €"}, r.Schema().FieldNames())
	require.Equal(t, []frictionless.Row{{"a", "b", "c", "d"}}, rows)
	rec := string(r.Metadata()["avro.schema"])
	for _, name := range []string{`"first_name"`, `"first_name_2"`, `"_2nd"`, `"prix__"`} {
		require.Contains(t, rec, name)
	}
}

func TestWriterValueErrors(t *testing.T) {
	t.Parallel()
	schema := allTypesSchema()
	cases := []struct {
		name  string
		field int
		value any
	}{
		{"required missing", 0, nil},
		{"wrong integer type", 0, "one"},
		{"decimal too many digits", 4, "12345678901.5"},
		{"decimal too many fraction digits", 4, "1.234"},
		{"not a time", 8, "2024-01-01"},
		{"bad JSON", 13, "{"},
		{"array for object", 13, []any{}},
		{"object for array", 14, map[string]any{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w, err := avrobak.NewWriter(&buf, schema, avrobak.UnknownRows, nil)
			require.NoError(t, err)
			row := allTypesRows(t)[0]
			row[tc.field] = tc.value
			err = w.Write(row)
			var ve *avrobak.ValueError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, schema.Fields[tc.field].Name, ve.Field)
			require.Equal(t, int64(1), ve.Row)
			require.NoError(t, w.Write(allTypesRows(t)[0]), "the writer goes on after a value error")
			require.NoError(t, w.Close())
			_, rows := readFile(t, buf.Bytes())
			require.Len(t, rows, 1)
		})
	}
}

func TestWriterCountMismatch(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	w, err := avrobak.NewWriter(&buf, allTypesSchema(), 3, nil)
	require.NoError(t, err)
	require.NoError(t, w.Write(allTypesRows(t)[0]))
	err = w.Close()
	require.ErrorIs(t, err, avrobak.ErrCountMismatch)
	require.ErrorIs(t, w.Close(), avrobak.ErrClosed)
	require.ErrorIs(t, w.Write(allTypesRows(t)[0]), avrobak.ErrClosed)
}

// TestWriterRefusesNegativeCounts: a count below zero other than
// UnknownRows is refused before anything is written, -2 included (the
// package's own marker for a count written after the rows).
func TestWriterRefusesNegativeCounts(t *testing.T) {
	t.Parallel()
	for _, rows := range []int64{-2, -3, math.MinInt64} {
		var buf bytes.Buffer
		_, err := avrobak.NewWriter(&buf, allTypesSchema(), rows, nil)
		require.ErrorContains(t, err, "want >= 0 or UnknownRows", "rows %d", rows)
		require.Zero(t, buf.Len(), "rows %d", rows)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	rows := employeeRows(t, 1, 50)
	p, rep := writeFile(t, employeesSchema(), rows, &avrobak.WriterOptions{Table: "employees", BlockSize: 300})
	v, err := avrobak.Verify(bytes.NewReader(p), nil)
	require.NoError(t, err)
	require.Equal(t, &avrobak.VerifyReport{Table: "employees", Rows: 50, Bytes: int64(len(p)),
		Codec: avrobak.CodecDeflate, SHA256: rep.SHA256}, v)

	cases := []struct {
		name string
		file []byte
		want error
	}{
		{"truncated", p[:len(p)-7], avrobak.ErrTruncated},
		{"last block missing", p[:previousSync(p)], avrobak.ErrCountMismatch},
		{"wrong sync", corrupt(p, len(p)-1, 1), avrobak.ErrCorrupt},
	}
	for _, tc := range cases {
		_, err := avrobak.Verify(bytes.NewReader(tc.file), nil)
		require.ErrorIs(t, err, tc.want, tc.name)
	}
}
