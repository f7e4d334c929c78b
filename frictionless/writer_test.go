package frictionless

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWriterRoundTrip(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{
		{Name: "id", Type: TypeInteger},
		{Name: "name"},
		{Name: "at", Type: TypeDateTime},
		{Name: "price", Type: TypeNumber, Precision: 6, Scale: 2},
		{Name: "ok", Type: TypeBoolean},
		{Name: "tags", Type: TypeArray},
	}}
	rows := []Row{
		{int64(1), "a, \"quoted\"", time.Date(2021, 1, 2, 3, 4, 5, 600000, time.UTC), mustDecimal(t, "12.50"), true, []any{"x"}},
		{int64(2), "multi\nline", nil, nil, false, nil},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, s, nil)
	require.NoError(t, w.WriteHeader())
	for _, r := range rows {
		require.NoError(t, w.Write(r))
	}
	require.NoError(t, w.Flush())
	require.Equal(t, "id,name,at,price,ok,tags\r\n"+
		"1,\"a, \"\"quoted\"\"\",2021-01-02T03:04:05.0006Z,12.50,true,\"[\"\"x\"\"]\"\r\n"+
		"2,\"multi\r\nline\",,,false,\r\n", buf.String(), "encoding/csv writes CRLF inside quotes too")

	rd, err := NewReader(&buf, s, nil)
	require.NoError(t, err)
	got, errs := readAll(t, rd)
	require.Empty(t, errs)
	rows[1][1] = "multi\r\nline" // the reader keeps the CRLF the writer wrote inside the quotes
	require.Equal(t, rows, got)
}

func TestWriterEmployeesRoundTrip(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/employees.csv")
	require.NoError(t, err)
	s := employeesSchema()
	rd, err := NewReader(bytes.NewReader(data), s, &ReadOptions{Dialect: noHeader()})
	require.NoError(t, err)
	var out bytes.Buffer
	w := NewWriter(&out, s, &WriteOptions{Dialect: noHeader()})
	require.NoError(t, w.WriteHeader(), "no header in this dialect: nothing written")
	for {
		row, err := rd.Read()
		if err != nil {
			var re *RowError
			if errors.As(err, &re) {
				require.NoError(t, w.WriteRaw(rd.Raw()))
				continue
			}
			break
		}
		require.NoError(t, w.Write(row))
	}
	require.NoError(t, w.Flush())
	require.Equal(t, string(data), out.String(), "canonical text equals the source")
}

func TestWriterErrors(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "a", Type: TypeInteger}}, MissingValues: []string{"NA"}}
	var buf bytes.Buffer
	w := NewWriter(&buf, s, &WriteOptions{Dialect: &Dialect{Delimiter: ";", LineTerminator: "\n"}})
	require.EqualError(t, w.Write(Row{int64(1), int64(2)}), "frictionless: write row: 2 values for 1 fields")
	require.EqualError(t, w.Write(Row{struct{}{}}), `frictionless: write field "a": cannot format struct {} as integer`)
	require.NoError(t, w.Write(Row{nil}))
	require.NoError(t, w.Flush())
	require.Equal(t, "NA\n", buf.String())

	buf.Reset()
	w = NewWriter(&buf, &Schema{Fields: []Field{{Name: "a"}}, MissingValues: []string{}}, nil)
	require.NoError(t, w.Write(Row{nil}))
	require.NoError(t, w.Flush())
	require.Equal(t, "\"\"\r\n", buf.String(), "one empty cell is quoted, not an empty line")
	rd, err := NewReader(&buf, &Schema{Fields: []Field{{Name: "a"}}}, &ReadOptions{Dialect: noHeader()})
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Empty(t, errs)
	require.Equal(t, []Row{{nil}}, rows)

	w = NewWriter(&buf, s, &WriteOptions{Dialect: &Dialect{QuoteChar: "'"}})
	require.ErrorIs(t, w.WriteHeader(), errors.ErrUnsupported)
	require.ErrorIs(t, w.Write(Row{nil}), errors.ErrUnsupported)
	require.ErrorIs(t, w.WriteRaw([]string{"x"}), errors.ErrUnsupported)

	w = NewWriter(errWriter{}, s, nil)
	require.NoError(t, w.WriteRaw([]string{strings.Repeat("x", 10)}))
	require.EqualError(t, w.Flush(), "frictionless: write CSV: pipe closed")
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }
