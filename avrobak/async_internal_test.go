package avrobak

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/stretchr/testify/require"
)

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n   int
	buf bytes.Buffer
}

var errWriteFailed = errors.New("write failed")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) > f.n {
		return 0, errWriteFailed
	}
	return f.buf.Write(p)
}

// asyncRows is a schema and rows for the tests of the block in flight.
func asyncRows(n int) (*frictionless.Schema, []frictionless.Row) {
	s := &frictionless.Schema{Fields: []frictionless.Field{{Name: "id", Type: frictionless.TypeInteger}, {Name: "name", Type: frictionless.TypeString}}}
	rows := make([]frictionless.Row, n)
	for i := range rows {
		rows[i] = frictionless.Row{int64(i), fmt.Sprintf("name %d", i)}
	}
	return s, rows
}

// TestAsyncBlocksRoundTrip: with blocks compressed and written on a
// second goroutine (as a backup writes them), every codec's file reads
// back whole, and Report counts exactly the bytes that reached the writer.
func TestAsyncBlocksRoundTrip(t *testing.T) {
	s, rows := asyncRows(5000)
	for _, codec := range []Codec{CodecNull, CodecDeflate, CodecSnappy, CodecZstandard} {
		var buf bytes.Buffer
		w, err := newWriter(&buf, s, int64(len(rows)), &WriterOptions{Codec: codec, BlockSize: 512}, nil)
		require.NoError(t, err)
		w.blk.async = true
		for i, r := range rows {
			require.NoError(t, w.Write(r))
			if i%700 == 0 {
				n := w.Report().Bytes // waits for the block in flight
				require.EqualValues(t, buf.Len(), n)
			}
		}
		require.NoError(t, w.Close())
		require.EqualValues(t, buf.Len(), w.Report().Bytes)
		r, err := NewReader(bytes.NewReader(buf.Bytes()), nil)
		require.NoError(t, err)
		got := 0
		for {
			row, err := r.Read()
			if err != nil {
				require.ErrorIs(t, err, io.EOF)
				break
			}
			require.Equal(t, rows[got], row, "codec %s row %d", codec, got)
			got++
		}
		require.Equal(t, len(rows), got, codec)
	}
}

// TestAsyncBlockFailure: a failure of the underlying writer during a block
// in flight surfaces from a later Write or from Close.
func TestAsyncBlockFailure(t *testing.T) {
	s, rows := asyncRows(5000)
	w, err := newWriter(&failAfter{n: 4 << 10}, s, int64(len(rows)), &WriterOptions{Codec: CodecNull, BlockSize: 512}, nil)
	require.NoError(t, err)
	w.blk.async = true
	for _, r := range rows {
		if err = w.Write(r); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Close()
	} else {
		require.Error(t, w.Close())
	}
	require.ErrorIs(t, err, errWriteFailed)
}
