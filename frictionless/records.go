package frictionless

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

// maxRawSource is how much source text a malformed record's reject keeps.
const maxRawSource = 64 << 10

// recordBufSize is the read buffer of a recordReader; it grows for a
// record longer than it.
const recordBufSize = 64 << 10

// byte classes of the plain-record scan (see recordReader.class)
const (
	classData    = iota // any other byte: part of a cell
	classComma          // the one-byte delimiter
	classLF             // the line end
	classWide           // NUL or a byte of a multi-byte character: cells need the full check
	classGeneral        // a quote or CR: the record needs parseRecord
)

// recordReader splits CSV text into records with the rules of encoding/csv
// (FieldsPerRecord -1, LazyQuotes false, the same errors, lines and
// columns), except that a quoted cell keeps the CRLFs inside it. Line ends
// outside quoted cells come in as LF (lineEnds turns CRLF and CR into LF).
//
// It reads into one buffer and makes one string per record, its cells
// slices of it. A line without a quote is split in one pass over its bytes
// (plainRecord); any other record is parsed as encoding/csv parses it
// (parseRecord).
type recordReader struct {
	src   io.Reader
	buf   []byte
	pos   int  // start of the bytes not yet read as records
	end   int  // end of the bytes read from src
	keep  int  // start of the bytes fill must keep (the record being read)
	eof   bool // src is at its end
	class [256]uint8
	fast  bool // plainRecord may split lines (one-byte delimiter, no comments, no trimming)

	comma     rune
	comment   rune
	trimSpace bool

	line     int // lines read so far, as encoding/csv's Reader counts them
	recLine  int // the line the last record starts on
	recStart int // the last record's first byte in buf (valid until the next read)

	text  []byte // the unquoted cells of a parsed record
	ends  []int  // end of each cell in text (parseRecord) or in the line (plainRecord)
	cells []string
	// scanned is how much of the line at pos plainRecord scanned without
	// finding its end (0: a new line); scanWide, whether those bytes hold
	// NUL or a multi-byte character.
	scanned  int
	scanWide bool
	ascii    bool // the last record's cells are ASCII without NUL (they need no cellProblem)
}

func newRecordReader(src io.Reader, cfg csvConfig) *recordReader {
	p := &recordReader{src: src, buf: make([]byte, recordBufSize), comma: cfg.comma, comment: cfg.comment, trimSpace: cfg.trimSpace}
	p.fast = cfg.comma < 0x80 && cfg.comment == 0 && !cfg.trimSpace
	p.class[0] = classWide
	for c := 0x80; c < 0x100; c++ {
		p.class[c] = classWide
	}
	p.class['\n'] = classLF
	p.class['"'] = classGeneral
	p.class['\r'] = classGeneral
	if p.fast {
		p.class[byte(cfg.comma)] = classComma
	}
	return p
}

// read returns the next record's cells, io.EOF after the last, a
// *csv.ParseError (ErrQuote or ErrBareQuote) for a record with malformed
// quoting, or the source's error. The slice is reused by the next read;
// the strings stay valid.
func (p *recordReader) read() ([]string, error) {
	p.keep = p.pos
	if !p.fast {
		return p.parseRecord()
	}
	for {
		if p.pos < p.end && p.buf[p.pos] == '\n' {
			p.pos++ // an empty line: skipped
			p.line++
			p.keep = p.pos
			continue
		}
		cells, found := p.plainRecord()
		switch {
		case cells != nil:
			return cells, nil
		case found:
			return p.parseRecord()
		case p.eof && p.pos == p.end:
			return nil, io.EOF
		case p.eof:
			p.scanned = 0
			return p.parseRecord() // a last line without a line end
		}
		if err := p.fill(); err != nil {
			return nil, err
		}
	}
}

// plainRecord splits the line at pos when the buffer holds all of it and
// it has no quote or CR, and consumes it. Otherwise it returns nil and
// consumes nothing: found tells whether the line's end or a quote was in
// the buffer (the record is parseRecord's) or more must be read; then the
// next call goes on from where this one stopped.
func (p *recordReader) plainRecord() (cells []string, found bool) {
	b := p.buf[p.pos:p.end]
	class := &p.class
	ends, wide := p.ends, p.scanWide
	if p.scanned == 0 {
		ends = ends[:0]
	}
	for i := p.scanned; i < len(b); i++ {
		k := class[b[i]]
		if k == classData {
			continue
		}
		switch k {
		case classComma:
			ends = append(ends, i)
		case classWide:
			wide = true
		case classGeneral:
			p.scanned, p.scanWide = 0, false
			return nil, true
		case classLF:
			p.ends = append(ends, i)
			p.scanned, p.scanWide = 0, false
			p.ascii = !wide
			p.startRecord(p.pos)
			p.pos += i + 1
			return p.cut(b[:i], 1), true
		}
	}
	p.ends, p.scanned, p.scanWide = ends, len(b), wide
	return nil, false
}

// startRecord notes a record starting at buf[at] on the next line.
func (p *recordReader) startRecord(at int) {
	p.line++
	p.recLine = p.line
	p.recStart = at
	p.keep = at
}

// cut makes the record's cells from one string of b, cut at ends: each
// cell ends at an end and the next starts gap bytes after it (1 for a
// plain line, whose ends are its delimiters; 0 for a parsed record's
// unquoted text).
func (p *recordReader) cut(b []byte, gap int) []string {
	s := string(b)
	cells := p.cells[:0]
	from := 0
	for _, to := range p.ends {
		cells = append(cells, s[from:to])
		from = to + gap
	}
	p.cells = cells
	return cells
}

// fill reads more of the source after end, first moving the bytes from
// keep on to the buffer's start (and growing it when they fill it). At the
// source's end it sets eof; another error is returned.
func (p *recordReader) fill() error {
	if p.keep > 0 {
		n := copy(p.buf, p.buf[p.keep:p.end])
		p.pos -= p.keep
		p.recStart -= p.keep
		p.end, p.keep = n, 0
	}
	if p.end == len(p.buf) {
		p.buf = append(p.buf, make([]byte, len(p.buf))...)
	}
	for {
		n, err := p.src.Read(p.buf[p.end:])
		p.end += n
		switch {
		case err == io.EOF:
			p.eof = true
			return nil
		case err != nil:
			return err
		case n > 0:
			return nil
		}
	}
}

// csvLine is a line as encoding/csv's Reader reads it: a CRLF at its end
// counts as LF, a CR before the source's end is dropped.
type csvLine struct {
	text []byte // without its line end
	nl   bool   // it ends with a line end
	crlf bool   // that line end is a CRLF (a quoted cell keeps it)
}

// readLine reads the next line; at the source's end it returns io.EOF.
func (p *recordReader) readLine() (csvLine, error) {
	i := bytes.IndexByte(p.buf[p.pos:p.end], '\n')
	for i < 0 && !p.eof {
		scanned := p.end - p.pos
		if err := p.fill(); err != nil {
			return csvLine{}, err
		}
		if j := bytes.IndexByte(p.buf[p.pos+scanned:p.end], '\n'); j >= 0 {
			i = scanned + j
		}
	}
	if i < 0 { // the source's last line, without a line end
		text := p.buf[p.pos:p.end]
		p.pos = p.end
		if len(text) == 0 {
			return csvLine{}, io.EOF
		}
		p.line++
		return csvLine{text: bytes.TrimSuffix(text, []byte{'\r'})}, nil
	}
	l := csvLine{text: p.buf[p.pos : p.pos+i], nl: true}
	p.pos += i + 1
	p.line++
	if n := len(l.text); n > 0 && l.text[n-1] == '\r' {
		l.text, l.crlf = l.text[:n-1], true
	}
	return l, nil
}

// rawLines returns the source lines of the record last read (without
// line ends; at most maxRawSource bytes, the rest cut and marked "…"), for
// a record with malformed quoting.
func (p *recordReader) rawLines() []string { return sourceLines(p.buf[p.recStart:p.pos]) }

// sourceLines splits source text into its lines, without line ends; past
// maxRawSource bytes the text is cut and marked "…".
func sourceLines(b []byte) []string {
	cut := len(b) > maxRawSource
	if cut {
		b = b[:maxRawSource]
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	out := strings.Split(text, "\n")
	for k, l := range out {
		out[k] = strings.TrimSuffix(l, "\r")
	}
	if cut {
		out[len(out)-1] += "…"
	}
	return out
}

// parseError is encoding/csv's error for malformed quoting at a position.
func parseError(start, line, col int, err error) *csv.ParseError {
	return &csv.ParseError{StartLine: start, Line: line, Column: col, Err: err}
}
