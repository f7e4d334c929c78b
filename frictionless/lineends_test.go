package frictionless

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

func TestLineEnds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"a,b\r1,2\r", "a,b\n1,2\n"},
		{"a,b\r\n1,2\r\n", "a,b\n1,2\n"},
		{"a,b\n1,2\n", "a,b\n1,2\n"},
		{"a,b\r\r\n1,2", "a,b\n\n1,2"},
		{"a,\"x\ry\r\nz\"\r1,\"\"\"\r\"\r", "a,\"x\ry\r\nz\"\n1,\"\"\"\r\"\n"},
		{"\"unterminated\r", "\"unterminated\r"},
		{"5,e\"d,5\r\n7,\"multi\r\nline\",7\r\n", "5,e\"d,5\n7,\"multi\r\nline\",7\n"}, // a bare quote is data
		{"1,\"a\"b\r\nc\",2\r\n3\r", "1,\"a\"b\r\nc\",2\n3\n"},                         // a lazy quote stays in the cell
		{"1, \"x\ry\"\r", "1, \"x\ry\"\n"},                                             // blanks before a quote are trimmed
		{"x\"\ry\r", "x\"\ny\n"},
	} {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tt.in)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(newLineEnds(r, ',', true))
			require.NoError(t, err)
			require.Equal(t, tt.want, string(got), "%q one byte at a time: %v", tt.in, oneByte)
		}
	}
}

func TestInferAndReadLoneCR(t *testing.T) {
	t.Parallel()
	s, err := Infer(strings.NewReader("a,b\r1,2\r3,4\r"), nil)
	require.NoError(t, err)
	require.Len(t, s.Fields, 2)
	require.Equal(t, TypeInteger, s.Fields[1].Type)
	rd, err := NewReader(strings.NewReader("a,b\r1,2\r3,4\r"), s, nil)
	require.NoError(t, err)
	n := 0
	for {
		row, err := rd.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Len(t, row, 2)
		n++
	}
	require.Equal(t, 2, n)
}

func TestInferIgnoresLongRows(t *testing.T) {
	t.Parallel()
	s, err := Infer(strings.NewReader("a,b,c\n1,2,3\n4,5,6,7,8\n"), nil)
	require.NoError(t, err)
	require.Len(t, s.Fields, 3, "the header has 3 columns; the long row is the reader's reject")
}

// FuzzLineEnds: the output does not depend on how the input is chunked,
// text without a CR passes unchanged, and no CR is left outside quotes
// (every CR out is inside a quoted cell, so fewer CRs come out than went in
// or the same).
func FuzzLineEnds(f *testing.F) {
	for _, s := range []string{"a,b\r1,2\r", "7,\"multi\r\nline\",7\r\n", "5,e\"d,5\r\n", "1,\"a\"\"\r\",2\r"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, trim bool) {
		whole, err := io.ReadAll(newLineEnds(strings.NewReader(in), ',', trim))
		require.NoError(t, err)
		bytewise, err := io.ReadAll(newLineEnds(iotest.OneByteReader(strings.NewReader(in)), ',', trim))
		require.NoError(t, err)
		require.Equal(t, string(whole), string(bytewise))
		if !strings.Contains(in, "\r") {
			require.Equal(t, in, string(whole))
		}
		require.LessOrEqual(t, strings.Count(string(whole), "\r"), strings.Count(in, "\r"))
	})
}
