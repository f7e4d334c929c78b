package frictionless

// The reader of CSV records before recordReader: encoding/csv over
// lineEnds, with the source text kept for malformed records. (It also put
// back the CRLFs that encoding/csv turns into LF inside quoted cells, not
// always successfully; the tests compare its cells as encoding/csv gives
// them instead.) The tests read with both and compare.

import "io"

// sourceTail keeps the text read through it from a mark on, so the source
// lines of a record the CSV parser could not split (an unterminated or
// bare quote) can be reported instead of being lost.
type sourceTail struct {
	r   io.Reader
	off int64  // source offset of buf[0]
	buf []byte // text read from off on
}

// Read reads from the source and keeps what it read.
func (t *sourceTail) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// mark drops the text before offset o (text before it will not be asked
// for again).
func (t *sourceTail) mark(o int64) {
	k := int(o - t.off)
	if k <= 0 {
		return
	}
	k = min(k, len(t.buf))
	if k < len(t.buf)/2 && k < 4096 {
		return // compact rarely: the parser reads ahead in small blocks
	}
	t.buf = t.buf[:copy(t.buf, t.buf[k:])]
	t.off += int64(k)
}

// lines returns the source lines between offsets from and to (without
// line ends; at most maxRawSource bytes, the rest cut and marked "…").
func (t *sourceTail) lines(from, to int64) []string {
	i, j := int(from-t.off), int(to-t.off)
	if i < 0 || j > len(t.buf) || i >= j {
		return nil
	}
	return sourceLines(t.buf[i:j])
}
