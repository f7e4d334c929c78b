package frictionless

import (
	"bytes"
	"io"
)

// lineEnds turns the line ends of CSV text outside quoted cells into LF:
// CRLF becomes LF and a lone CR (old Mac files, or a stray CR between rows)
// becomes LF, as Python's csv module and so the Frictionless reference
// implementation read it; encoding/csv would keep a lone CR inside the
// cell. Inside quotes nothing changes. Chunks without a CR pass through
// after a count of their quotes.
type lineEnds struct {
	r        io.Reader
	inQuotes bool
	afterCR  bool // the last byte out was a CR turned into LF
}

func newLineEnds(r io.Reader) *lineEnds { return &lineEnds{r: r} }

func (l *lineEnds) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		n = l.convert(p[:n])
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// convert rewrites buf in place and returns its new length.
func (l *lineEnds) convert(buf []byte) int {
	if len(buf) == 0 {
		return 0
	}
	if !l.afterCR && bytes.IndexByte(buf, '\r') < 0 {
		if bytes.Count(buf, []byte{'"'})%2 == 1 {
			l.inQuotes = !l.inQuotes
		}
		return len(buf)
	}
	out := 0
	for _, c := range buf {
		switch {
		case l.inQuotes:
			l.afterCR = false
			if c == '"' {
				l.inQuotes = false
			}
		case c == '\n' && l.afterCR:
			l.afterCR = false
			continue // the LF of a CRLF already written
		case c == '\r':
			c, l.afterCR = '\n', true
		default:
			l.afterCR = false
			if c == '"' {
				l.inQuotes = true
			}
		}
		buf[out] = c
		out++
	}
	return out
}
