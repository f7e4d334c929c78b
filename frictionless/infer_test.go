package frictionless

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInfer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts *InferOptions
		want []Field
	}{
		{"types", "i,n,b,d,dt,t,s,e\n1,1.5,true,2021-01-01,2021-01-01T10:00:00Z,10:00:00,x,\n-2,3,FALSE,2021-12-31,2021-01-01 10:00:00+02:00,23:59:59.5,y,\n",
			nil, []Field{{Name: "i", Type: TypeInteger}, {Name: "n", Type: TypeNumber}, {Name: "b", Type: TypeBoolean},
				{Name: "d", Type: TypeDate}, {Name: "dt", Type: TypeDateTime}, {Name: "t", Type: TypeTime},
				{Name: "s", Type: TypeString}, {Name: "e", Type: TypeString}}},
		{"leading zeros stay strings", "code\n007\n012\n", nil, []Field{{Name: "code", Type: TypeString}}},
		{"zero is an integer", "n\n0\n-0\n10\n", nil, []Field{{Name: "n", Type: TypeInteger}}},
		{"0/1 is integer", "flag\n0\n1\n", nil, []Field{{Name: "flag", Type: TypeInteger}}},
		{"fraction late widens", "v\n1\n2\n3.5\n", nil, []Field{{Name: "v", Type: TypeNumber}}},
		{"text late widens", "v\n1\n2\nabc\n", nil, []Field{{Name: "v", Type: TypeString}}},
		{"huge integer is number", "v\n99999999999999999999\n", nil, []Field{{Name: "v", Type: TypeNumber}}},
		{"mixed dates are strings", "v\n2021-01-01\n2021-01-01T00:00:00Z\n", nil, []Field{{Name: "v", Type: TypeString}}},
		{"sample size", "v\n1\n2\nabc\n", &InferOptions{SampleSize: 2}, []Field{{Name: "v", Type: TypeInteger}}},
		{"forced", "v,w\n1,2\n", &InferOptions{Types: map[string]FieldType{"v": TypeString}}, []Field{{Name: "v", Type: TypeString}, {Name: "w", Type: TypeInteger}}},
		{"no header", "1,a\n2,b,3\n", &InferOptions{Dialect: noHeader()}, []Field{{Name: "field1", Type: TypeInteger}, {Name: "field2", Type: TypeString}, {Name: "field3", Type: TypeInteger}}},
		{"duplicate and empty names", "a,a,\n1,2,3\n", nil, []Field{{Name: "a", Type: TypeInteger}, {Name: "a_2", Type: TypeInteger}, {Name: "field3", Type: TypeInteger}}},
		{"missing values", "v\nNA\n1\n", &InferOptions{MissingValues: []string{"NA"}}, []Field{{Name: "v", Type: TypeInteger}}},
		{"semicolon", "a;b\n1;x\n", &InferOptions{Dialect: &Dialect{Delimiter: ";"}}, []Field{{Name: "a", Type: TypeInteger}, {Name: "b", Type: TypeString}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := Infer(strings.NewReader(tc.in), tc.opts)
			require.NoError(t, err)
			require.Equal(t, tc.want, s.Fields)
			require.NoError(t, s.Validate())
		})
	}
}

func TestInferLateNumberInLargeFile(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("v\n")
	for i := range 1_000_000 {
		b.WriteString("1")
		b.WriteString(strings.Repeat("0", i%3))
		b.WriteByte('\n')
	}
	b.WriteString("3.5\n")
	s, err := Infer(&b, nil)
	require.NoError(t, err)
	require.Equal(t, TypeNumber, s.Fields[0].Type)
}

func TestInferEmployees(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/employees.csv")
	require.NoError(t, err)
	defer f.Close()
	s, err := Infer(f, &InferOptions{Dialect: noHeader()})
	require.NoError(t, err)
	require.Equal(t, []FieldType{TypeInteger, TypeString, TypeDateTime, TypeInteger, TypeInteger},
		[]FieldType{s.Fields[0].Type, s.Fields[1].Type, s.Fields[2].Type, s.Fields[3].Type, s.Fields[4].Type})
}

func TestInferErrors(t *testing.T) {
	t.Parallel()
	_, err := Infer(strings.NewReader("a\n1\n"), &InferOptions{Types: map[string]FieldType{"a": "integr"}})
	require.EqualError(t, err, `types.a: unknown type "integr"`)
	_, err = Infer(strings.NewReader("a\n1\n"), &InferOptions{Dialect: &Dialect{Delimiter: "\n"}})
	require.EqualError(t, err, `dialect.delimiter: must be one character other than NUL, a quote or a line break, not "\n"`)
	_, err = Infer(strings.NewReader("a\n1\n"), &InferOptions{Encoding: "nope"})
	require.EqualError(t, err, `encoding: unknown encoding "nope"`)
	_, err = Infer(&failingReader{bytes.NewReader([]byte("a\n1\n"))}, nil)
	require.EqualError(t, err, "frictionless: infer: disk on fire")
}

// TestInferEmpty: an empty input (or one of blank lines) has no field to
// infer: ErrNoFields, whether a header is expected or not; a header alone
// gives string fields.
func TestInferEmpty(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "\n\n", "\r\n"} {
		_, err := Infer(strings.NewReader(in), nil)
		require.ErrorIs(t, err, ErrNoFields, "%q", in)
		_, err = Infer(strings.NewReader(in), &InferOptions{Dialect: &Dialect{Header: new(bool)}})
		require.ErrorIs(t, err, ErrNoFields, "%q without header", in)
	}
	s, err := Infer(strings.NewReader("a,b\n"), nil)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, s.FieldNames())
}
