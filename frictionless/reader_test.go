package frictionless

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// readAll reads every row and row error from a Reader.
func readAll(t *testing.T, rd *Reader) ([]Row, []*RowError) {
	t.Helper()
	var rows []Row
	var errs []*RowError
	for {
		row, err := rd.Read()
		if err == io.EOF {
			return rows, errs
		}
		var re *RowError
		if errors.As(err, &re) {
			require.Nil(t, row)
			errs = append(errs, re)
			continue
		}
		require.NoError(t, err)
		rows = append(rows, append(Row(nil), row...))
	}
}

func personSchema() *Schema {
	return &Schema{Fields: []Field{
		{Name: "id", Type: TypeInteger, Constraints: Constraints{Required: true}},
		{Name: "name"},
		{Name: "born", Type: TypeDate},
	}}
}

func TestReaderHeaderAnyOrder(t *testing.T) {
	t.Parallel()
	in := "\xEF\xBB\xBFname,born,id\r\nAda,1815-12-10,1\r\n\r\nAlan,,2\r\n"
	rd, err := NewReader(strings.NewReader(in), personSchema(), nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Empty(t, errs)
	require.Equal(t, []Row{
		{int64(1), "Ada", time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)},
		{int64(2), "Alan", nil},
	}, rows)
	require.Equal(t, []string{"Alan", "", "2"}, rd.Raw())
	require.Equal(t, ReadStats{Rows: 2, Valid: 2, Bytes: int64(len(in))}, rd.Stats())
	require.Same(t, rd.Schema(), rd.Schema())
	require.NoError(t, rd.Close())
	_, err = rd.Read()
	require.ErrorIs(t, err, ErrClosed)
	require.NoError(t, rd.Close())
}

func TestReaderRowErrors(t *testing.T) {
	t.Parallel()
	in := "id,name,born\n" + // line 1
		"1,Ada,1815-12-10\n" + // line 2, row 1
		"x,Bob,1900-01-01\n" + // line 3, row 2
		"3,Cy\n" + // line 4, row 3
		"4,Di,2000-01-01,extra\n" + // line 5, row 4
		"5,\"multi\nline\",bad\n" + // lines 6-7, row 5
		"6,\xff\xfe,2000-01-01\n" + // line 8, row 6
		"7,Ed,2000-01-0\"1\r\n" + // line 9, row 7
		",Fay,nope\n" + // line 10, row 8
		"9,N\x00l,2000-01-01\n" + // line 11, row 9
		"10,\"open,2000-01-01\nlast,line\n" // lines 12-13, row 10
	rd, err := NewReader(strings.NewReader(in), personSchema(), nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Len(t, rows, 1)
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Error()
	}
	require.Equal(t, []string{
		`row 2 (line 3): field "id": cannot cast "x" to integer`,
		`row 3 (line 4): row has 2 cells, expected 3`,
		`row 4 (line 5): row has 4 cells, expected 3`,
		`row 5 (line 6): field "born": cannot cast "bad" to date`,
		`row 6 (line 8): field "name": invalid UTF-8 in column 2`,
		`row 7 (line 9): malformed CSV at line 9, column 15: bare " in non-quoted-field`,
		`row 8 (line 10): field "id": value is required; field "born": cannot cast "nope" to date`,
		`row 9 (line 11): field "name": NUL byte in column 2`,
		`row 10 (line 12): malformed CSV at line 13, column 11: extraneous or missing " in quoted-field`,
	}, got)
	require.Equal(t, []string{"7,Ed,2000-01-0\"1"}, errs[5].Raw, "a malformed record keeps its source line")
	require.Equal(t, []string{"10,\"open,2000-01-01", "last,line"}, errs[8].Raw, "an unterminated quote keeps every line it swallowed")
	last := errs[6]
	require.Equal(t, []FieldError{
		{Field: "id", Value: "", Reason: "value is required"},
		{Field: "born", Value: "nope", Reason: `cannot cast "nope" to date`},
	}, last.Errors)
	require.Equal(t, []string{"", "Fay", "nope"}, last.Raw)
	require.Equal(t, "\xff\xfe", errs[4].Value)
	require.Equal(t, ReadStats{Rows: 10, Valid: 1, Invalid: 9, Bytes: int64(len(in))}, rd.Stats())
}

func TestReaderHeaderProblems(t *testing.T) {
	t.Parallel()
	in := "name,extra,name,Id\n" + "Ada,x,Ada2,1\n"
	rd, err := NewReader(strings.NewReader(in), personSchema(), &ReadOptions{Dialect: &Dialect{CaseSensitiveHeader: true}})
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	got := make([]string, len(errs))
	for i, e := range errs {
		if i < 5 {
			require.Zero(t, e.Row)
			require.Equal(t, []string{"name", "extra", "name", "Id"}, e.Raw)
		}
		got[i] = e.Error()
	}
	require.Equal(t, []string{
		`header (line 1): column 2 "extra" is not in the schema`,
		`header (line 1): column 3 "name" repeats column 1`,
		`header (line 1): column 4 "Id" is not in the schema`,
		`header (line 1): field "id": column is missing from the header`,
		`header (line 1): field "born": column is missing from the header`,
		`row 1 (line 2): field "id": value is required`,
	}, got)
	require.Empty(t, rows)
	require.Equal(t, int64(1), rd.Stats().Rows)
}

func TestReaderHeaderCase(t *testing.T) {
	t.Parallel()
	rd, err := NewReader(strings.NewReader(" NAME ,Born,ID\nAda,,1\n"), personSchema(), nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Empty(t, errs)
	require.Equal(t, []Row{{int64(1), "Ada", nil}}, rows)
}

func TestReaderMalformedHeaderAndEmpty(t *testing.T) {
	t.Parallel()
	rd, err := NewReader(strings.NewReader("i\"d,name\n"), personSchema(), nil)
	require.NoError(t, err)
	_, errs := readAll(t, rd)
	require.Equal(t, `header (line 1): malformed header: bare " in non-quoted-field`, errs[0].Error())
	require.Len(t, errs, 4) // malformed + 3 missing columns

	rd, err = NewReader(strings.NewReader(""), personSchema(), nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Empty(t, rows)
	require.Empty(t, errs)
	require.Equal(t, ReadStats{}, rd.Stats())
}

func TestReaderUnique(t *testing.T) {
	t.Parallel()
	s := &Schema{
		Fields: []Field{
			{Name: "a", Type: TypeInteger},
			{Name: "b", Constraints: Constraints{Unique: true}},
			{Name: "c", Type: TypeDate},
		},
		PrimaryKey: []string{"a", "c"},
	}
	in := "a,b,c\n1,x,2021-01-01\n01,y,2021-01-01\n1,z,2021-01-02\n2,x,2021-01-03\n3,,2021-01-04\n4,,2021-01-05\n,w,2021-01-06\n"
	rd, err := NewReader(strings.NewReader(in), s, nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Len(t, rows, 4)
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Error()
	}
	require.Equal(t, []string{
		`row 2 (line 3): field "a": primary key (01, 2021-01-01) is not unique (same as row 1)`,
		`row 4 (line 5): field "b": value "x" is not unique (same as row 1)`,
		`row 7 (line 8): field "a": value is required`,
	}, got)

	rd, err = NewReader(strings.NewReader(in), s, &ReadOptions{SkipUniqueCheck: true})
	require.NoError(t, err)
	rows, errs = readAll(t, rd)
	require.Len(t, rows, 6)
	require.Len(t, errs, 1)
}

func TestReaderUniqueInteger(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "id", Type: TypeInteger}, {Name: "v"}}, PrimaryKey: []string{"id"}}
	rd, err := NewReader(strings.NewReader("1,a\n2,b\n+1,c\n"), s, &ReadOptions{Dialect: noHeader()})
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Len(t, rows, 2)
	require.Len(t, errs, 1)
	require.Equal(t, `row 3 (line 3): field "id": primary key (+1) is not unique (same as row 1)`, errs[0].Error())
}

func TestReaderOptions(t *testing.T) {
	t.Parallel()
	latin1, err := charmap.ISO8859_1.NewEncoder().String("id;name\n1;José\n")
	require.NoError(t, err)
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().String("id,name\r\n1,Zoë ☃\r\n")
	require.NoError(t, err)
	s := &Schema{Fields: []Field{{Name: "id", Type: TypeInteger}, {Name: "name"}}, MissingValues: []string{"NA", "-"}}
	tests := []struct {
		name string
		in   string
		opts *ReadOptions
		want []Row
	}{
		{"latin1", latin1, &ReadOptions{Encoding: "latin1", Dialect: &Dialect{Delimiter: ";"}}, []Row{{int64(1), "José"}}},
		{"utf-16le", utf16, &ReadOptions{Encoding: "utf-16le"}, []Row{{int64(1), "Zoë ☃"}}},
		{"utf8 alias", "id,name\n1,é\n", &ReadOptions{Encoding: "UTF-8"}, []Row{{int64(1), "é"}}},
		{"missing values", "id,name\nNA,-\n2,\n", nil, []Row{{nil, nil}, {int64(2), ""}}},
		{"tab comments spaces", "# note\nid\t name\n3\t  x\n", &ReadOptions{Dialect: &Dialect{Delimiter: "\t", CommentChar: "#", SkipInitialSpace: true}}, []Row{{int64(3), "x"}}},
		{"quoted CRLF kept", "id,name\r\n4,\"a\r\nb\"\r\n", nil, []Row{{int64(4), "a\r\nb"}}},
		{"quoted LF and CRLF", "id,name\n4,\"a\nb\r\n\"\"c\"\"\"\n", nil, []Row{{int64(4), "a\nb\r\n\"c\""}}},
		{"no header", "5,x\n", &ReadOptions{Dialect: noHeader()}, []Row{{int64(5), "x"}}},
		{"reuse row", "id,name\n6,a\n7,b\n", &ReadOptions{ReuseRow: true}, []Row{{int64(6), "a"}, {int64(7), "b"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd, err := NewReader(strings.NewReader(tc.in), s, tc.opts)
			require.NoError(t, err)
			rows, errs := readAll(t, rd)
			require.Empty(t, errs)
			require.Equal(t, tc.want, rows)
		})
	}
}

func TestReaderReuseRowShares(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "a"}}}
	rd, err := NewReader(strings.NewReader("a\nx\ny\n"), s, &ReadOptions{ReuseRow: true})
	require.NoError(t, err)
	r1, err := rd.Read()
	require.NoError(t, err)
	r2, err := rd.Read()
	require.NoError(t, err)
	require.Equal(t, "y", r1[0], "the backing array is reused")
	require.Equal(t, "y", r2[0])
}

func TestNewReaderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		schema      *Schema
		opts        *ReadOptions
		msg         string
		unsupported bool
	}{
		{"no schema", nil, nil, "schema: is missing", false},
		{"bad field", &Schema{Fields: []Field{{Name: "a", Type: "integr"}}}, nil, `fields[0].type: unknown type "integr"`, false},
		{"no name", &Schema{Fields: []Field{{Type: TypeInteger}}}, nil, `fields[0].name: is required`, false},
		{"dup name", &Schema{Fields: []Field{{Name: "a"}, {Name: "a"}}}, nil, `fields[1].name: "a" repeats fields[0]`, false},
		{"pk", &Schema{Fields: []Field{{Name: "a"}}, PrimaryKey: []string{"b"}}, nil, `primaryKey[0]: field "b" is not in the schema`, false},
		{"fk fields", &Schema{Fields: []Field{{Name: "a"}}, ForeignKeys: []ForeignKey{{}}}, nil, `foreignKeys[0].fields: is required`, false},
		{"fk field", &Schema{Fields: []Field{{Name: "a"}}, ForeignKeys: []ForeignKey{{Fields: []string{"z"}}}}, nil, `foreignKeys[0].fields[0]: field "z" is not in the schema`, false},
		{"fk reference", &Schema{Fields: []Field{{Name: "a"}}, ForeignKeys: []ForeignKey{{Fields: []string{"a"}}}}, nil, `foreignKeys[0].reference.fields: has 0 fields, the key has 1`, false},
		{"delimiter", &Schema{}, &ReadOptions{Dialect: &Dialect{Delimiter: ";;"}}, `dialect.delimiter: must be one character other than NUL, a quote or a line break, not ";;"`, false},
		{"comment", &Schema{}, &ReadOptions{Dialect: &Dialect{CommentChar: ","}}, `dialect.commentChar: must be one character other than the delimiter, NUL, a quote or a line break, not ","`, false},
		{"quote", &Schema{}, &ReadOptions{Dialect: &Dialect{QuoteChar: "'"}}, `dialect.quoteChar: only "\"" is supported, not "'" (unsupported operation)`, true},
		{"double quote", &Schema{}, &ReadOptions{Dialect: &Dialect{DoubleQuote: boolPtr(false)}}, `dialect.doubleQuote: false is not supported (unsupported operation)`, true},
		{"terminator", &Schema{}, &ReadOptions{Dialect: &Dialect{LineTerminator: "\r"}}, `dialect.lineTerminator: only "\n" and "\r\n" are supported, not "\r" (unsupported operation)`, true},
		{"encoding", &Schema{}, &ReadOptions{Encoding: "klingon"}, `encoding: unknown encoding "klingon"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewReader(strings.NewReader(""), tc.schema, tc.opts)
			require.EqualError(t, err, tc.msg)
			require.ErrorIs(t, err, ErrInvalidDescriptor)
			require.Equal(t, tc.unsupported, errors.Is(err, errors.ErrUnsupported))
		})
	}
}

// failingReader returns data, then a non-EOF error.
type failingReader struct{ data *bytes.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data.Len() == 0 {
		return 0, errors.New("disk on fire")
	}
	return f.data.Read(p)
}

func TestReaderFatalErrorIsSticky(t *testing.T) {
	t.Parallel()
	rd, err := NewReader(&failingReader{bytes.NewReader([]byte("a\n1\n"))}, &Schema{Fields: []Field{{Name: "a"}}}, nil)
	require.NoError(t, err)
	row, err := rd.Read()
	require.NoError(t, err)
	require.Equal(t, Row{"1"}, row)
	_, err = rd.Read()
	require.EqualError(t, err, "frictionless: read CSV: disk on fire")
	_, err2 := rd.Read()
	require.Equal(t, err, err2)

	rd, err = NewReader(&failingReader{bytes.NewReader(nil)}, &Schema{Fields: []Field{{Name: "a"}}}, nil)
	require.NoError(t, err)
	_, err = rd.Read()
	require.EqualError(t, err, "frictionless: read CSV header: disk on fire")
}

func TestReaderReadInto(t *testing.T) {
	t.Parallel()
	in := "id,name,born\n1,Ada,1815-12-10\nx,Bob,\n3,Cy,2000-01-01\n"
	rd, err := NewReader(strings.NewReader(in), personSchema(), nil)
	require.NoError(t, err)
	slab := make([]any, 6)
	dst := Row(slab[0:3:3])
	row, err := rd.ReadInto(dst)
	require.NoError(t, err)
	require.Equal(t, Row{int64(1), "Ada", time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)}, row)
	require.Same(t, &slab[0], &row[0], "a Row of the schema's length is cast into")
	row, err = rd.ReadInto(Row(slab[3:6:6]))
	var re *RowError
	require.ErrorAs(t, err, &re)
	require.Nil(t, row)
	require.Equal(t, 2, re.Row)
	short := make(Row, 2)
	row, err = rd.ReadInto(short)
	require.NoError(t, err)
	require.Equal(t, Row{int64(3), "Cy", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, row)
	require.Equal(t, Row{nil, nil}, short, "a Row of another length is left alone")
	require.Equal(t, "Ada", slab[1], "earlier rows are kept")
	_, err = rd.ReadInto(nil)
	require.Equal(t, io.EOF, err)
	require.Equal(t, ReadStats{Rows: 3, Valid: 2, Invalid: 1, Bytes: int64(len(in))}, rd.Stats())
}
