package frictionless

// The reader of CSV records before recordReader: encoding/csv over
// lineEnds, with the source text kept for malformed records and the CRLFs
// of quoted cells put back. The tests read with both and compare.

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// sourceTail keeps the text read through it from a mark on, so the source
// lines of a record the CSV parser could not split (an unterminated or
// bare quote) can be reported instead of being lost.
type sourceTail struct {
	r   io.Reader
	off int64  // source offset of buf[0]
	buf []byte // text read from off on
	cr  bool   // a CR was read (only quoted cells keep one: see lineEnds)
}

// Read reads from the source and keeps what it read.
func (t *sourceTail) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	if !t.cr && bytes.IndexByte(p[:n], '\r') >= 0 {
		t.cr = true
	}
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

// crlfInside returns the source text of the record between offsets from
// and to when a line end inside it is CRLF (encoding/csv turns those into
// LF within quoted cells), or "" when there is none.
func (t *sourceTail) crlfInside(from, to int64) string {
	i, j := int(from-t.off), int(to-t.off)
	if !t.cr || i < 0 || j > len(t.buf) || i >= j {
		return "" // no CR read yet: no CRLF (the common case, per record)
	}
	b := t.buf[i:j]
	b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
	if !bytes.Contains(b, []byte("\r\n")) {
		return ""
	}
	return string(b)
}

// keepCRLF puts back the CRLF line ends of quoted cells that encoding/csv
// turned into LF: text is the record's source, split again here; a cell is
// replaced only when it is the parser's cell with its CRLFs restored.
func keepCRLF(rec []string, text string, comma rune) {
	cells := splitQuoted(text, comma)
	if len(cells) != len(rec) {
		return
	}
	for k, c := range cells {
		if c != rec[k] && strings.ReplaceAll(c, "\r\n", "\n") == rec[k] {
			rec[k] = c
		}
	}
}

// splitQuoted splits the source text of one CSV record into its cells,
// keeping the line ends inside quoted cells as written.
func splitQuoted(text string, comma rune) []string {
	var cells []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case quoted && r == '"' && strings.HasPrefix(text[i+size:], `"`):
			b.WriteByte('"')
			size++
		case r == '"':
			quoted = !quoted
		case !quoted && r == comma:
			cells = append(cells, b.String())
			b.Reset()
		default:
			b.WriteString(text[i : i+size])
		}
		i += size
	}
	return append(cells, b.String())
}
