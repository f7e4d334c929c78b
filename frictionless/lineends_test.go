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
	} {
		for _, oneByte := range []bool{false, true} {
			var r io.Reader = strings.NewReader(tt.in)
			if oneByte {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(newLineEnds(r))
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
