package frictionless

import (
	"bytes"
	"io"
)

// lineEnds turns the line ends of CSV text outside quoted cells into LF:
// CRLF becomes LF and a lone CR (old Mac files, or a stray CR between rows)
// becomes LF, as Python's csv module and so the Frictionless reference
// implementation read it; encoding/csv would keep a lone CR inside the
// cell. Inside quotes nothing changes.
//
// It follows quoting as encoding/csv does with LazyQuotes: a quote opens a
// quoted cell only at the start of a cell (after the delimiter or a line
// end, and leading blanks when they are trimmed); in a quoted cell a
// doubled quote is data, a quote before the delimiter or a line end closes
// the cell, and any other quote is data. A bare quote inside an unquoted
// cell ("e\"d") is data and changes nothing. It scans for quotes and CRs
// only, so text without them passes through untouched.
type lineEnds struct {
	r         io.Reader
	comma     byte // the delimiter's last byte
	trimSpace bool // leading blanks before an opening quote are skipped

	inQuotes     bool
	quotePending bool // the chunk ended on a quote inside a quoted cell
	afterCR      bool // the chunk ended on a CR turned into LF
	prev         byte // the last byte written (LF at the start)
	prevNonBlank byte // the last byte written that is not a space or tab
}

func newLineEnds(r io.Reader, comma rune, trimSpace bool) *lineEnds {
	c := byte(comma)
	if comma >= 0x80 {
		c = string(comma)[len(string(comma))-1]
	}
	return &lineEnds{r: r, comma: c, trimSpace: trimSpace, prev: '\n', prevNonBlank: '\n'}
}

func (l *lineEnds) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		n = l.convert(p[:n])
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// chunk is one buffer being rewritten in place: bytes before out are
// written, bytes from in on are still to read (out <= in).
type chunk struct {
	buf     []byte
	in, out int
}

// keep writes buf[in:to] out.
func (c *chunk) keep(to int) {
	if c.out != c.in {
		copy(c.buf[c.out:], c.buf[c.in:to])
	}
	c.out += to - c.in
	c.in = to
}

// convert rewrites buf in place and returns its new length.
func (l *lineEnds) convert(buf []byte) int {
	if len(buf) == 0 {
		return 0
	}
	c := &chunk{buf: buf}
	l.resume(c)
	// the next CR and quote at or after c.in (len(buf): none), searched
	// again only once passed: a CRLF file has a CR on every line
	cr, q := -1, -1
	for c.in < len(buf) {
		if l.inQuotes {
			l.quoted(c)
			continue
		}
		if cr < c.in {
			cr = indexFrom(buf, c.in, '\r')
		}
		if q < c.in {
			q = indexFrom(buf, c.in, '"')
		}
		switch {
		case cr == len(buf) && q == len(buf):
			c.keep(len(buf))
		case cr < q:
			l.lineEnd(c, cr)
		default:
			c.keep(q)
			l.inQuotes = l.atCellStart(c)
			c.keep(q + 1)
		}
	}
	l.remember(c)
	return c.out
}

// resume finishes what the previous chunk left open.
func (l *lineEnds) resume(c *chunk) {
	switch {
	case l.afterCR:
		l.afterCR = false
		if c.buf[0] == '\n' {
			c.in = 1 // the LF of a CRLF whose LF was already written
		}
	case l.quotePending:
		l.quotePending = false
		l.closeOrEscape(c)
	}
}

// quoted reads a quoted cell's text up to and including its next quote.
func (l *lineEnds) quoted(c *chunk) {
	q := bytes.IndexByte(c.buf[c.in:], '"')
	if q < 0 {
		c.keep(len(c.buf))
		return
	}
	q += c.in
	if q+1 == len(c.buf) {
		c.keep(len(c.buf))
		l.quotePending = true
		return
	}
	c.keep(q + 1)
	l.closeOrEscape(c)
}

// closeOrEscape decides what the quote just kept means from the byte at
// c.in: a doubled quote is data, a delimiter or line end closes the cell,
// anything else is a lazy quote (data).
func (l *lineEnds) closeOrEscape(c *chunk) {
	switch next := c.buf[c.in]; next {
	case '"':
		c.keep(c.in + 1)
	case l.comma, '\n', '\r':
		l.inQuotes = false
	}
}

// lineEnd writes the CR at cr as LF, dropping the LF of a CRLF.
func (l *lineEnds) lineEnd(c *chunk, cr int) {
	c.keep(cr)
	c.buf[c.out] = '\n'
	c.out++
	c.in = cr + 1
	switch {
	case c.in == len(c.buf):
		l.afterCR = true
	case c.buf[c.in] == '\n':
		c.in++
	}
}

// atCellStart reports whether a quote written next would open a cell: the
// byte before it is the delimiter or a line end (after blanks, when they
// are trimmed).
func (l *lineEnds) atCellStart(c *chunk) bool {
	prev, k := l.prev, c.out-1
	if l.trimSpace {
		prev = l.prevNonBlank
		for k >= 0 && (c.buf[k] == ' ' || c.buf[k] == '\t') {
			k--
		}
	}
	if k >= 0 {
		prev = c.buf[k]
	}
	return prev == l.comma || prev == '\n'
}

// remember keeps the last bytes written for the next chunk's first quote.
func (l *lineEnds) remember(c *chunk) {
	if c.out == 0 {
		return
	}
	l.prev = c.buf[c.out-1]
	for k := c.out - 1; k >= 0; k-- {
		if b := c.buf[k]; b != ' ' && b != '\t' {
			l.prevNonBlank = b
			break
		}
	}
}

// indexFrom is the index of b in buf at or after from, or len(buf).
func indexFrom(buf []byte, from int, b byte) int {
	if i := bytes.IndexByte(buf[from:], b); i >= 0 {
		return from + i
	}
	return len(buf)
}
