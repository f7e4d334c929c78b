package frictionless

import (
	"bytes"
	"encoding/csv"
	"io"
	"unicode"
	"unicode/utf8"
)

// recordParse is parseRecord's place in the record it reads.
type recordParse struct {
	p       *recordReader
	l       csvLine // the line being parsed
	rest    []byte  // its text not parsed yet
	recLine int     // the line the record starts on
	line    int     // the line of rest, as encoding/csv counts it for an unterminated quote
	col     int     // the 1-based byte column of rest in its line
}

// parseRecord reads the record at pos as encoding/csv's readRecord does:
// empty and comment lines skipped, quoted and unquoted cells, leading
// space trimmed when asked, a delimiter of any width; malformed quoting is
// a *csv.ParseError with encoding/csv's lines and columns, the rest of its
// line skipped. Unlike encoding/csv, a quoted cell keeps its CRLFs.
func (p *recordReader) parseRecord() ([]string, error) {
	l, err := p.firstLine()
	if err != nil {
		return nil, err
	}
	p.ascii = false
	p.text, p.ends = p.text[:0], p.ends[:0]
	s := recordParse{p: p, l: l, rest: l.text, recLine: p.recLine, line: p.recLine, col: 1}
	for done := false; !done; {
		if p.trimSpace {
			s.trim()
		}
		if len(s.rest) > 0 && s.rest[0] == '"' {
			done, err = s.quotedField()
		} else {
			done, err = s.plainField()
		}
		if err != nil {
			return nil, err
		}
	}
	return p.cut(p.text, 0), nil
}

// firstLine reads past empty and comment lines to the record's first line.
func (p *recordReader) firstLine() (csvLine, error) {
	for {
		p.recStart, p.keep = p.pos, p.pos
		l, err := p.readLine()
		if err != nil {
			return l, err
		}
		if p.comment != 0 && firstRune(l.text) == p.comment || len(l.text) == 0 {
			continue
		}
		p.recLine = p.line
		return l, nil
	}
}

// trim skips the leading white space of a cell.
func (s *recordParse) trim() {
	i := bytes.IndexFunc(s.rest, func(r rune) bool { return !unicode.IsSpace(r) })
	if i < 0 {
		i = len(s.rest)
	}
	s.rest = s.rest[i:]
	s.col += i
}

// plainField reads an unquoted cell; done tells it ended the record.
func (s *recordParse) plainField() (done bool, err error) {
	p := s.p
	i := bytes.IndexRune(s.rest, p.comma)
	field := s.rest
	if i >= 0 {
		field = field[:i]
	}
	if j := bytes.IndexByte(field, '"'); j >= 0 {
		return false, parseError(s.recLine, p.line, s.col+j, csv.ErrBareQuote)
	}
	p.text = append(p.text, field...)
	p.ends = append(p.ends, len(p.text))
	if i < 0 {
		return true, nil
	}
	w := utf8.RuneLen(p.comma)
	s.rest = s.rest[i+w:]
	s.col += i + w
	return false, nil
}

// quotedField reads a quoted cell, over as many lines as it spans; done
// tells it ended the record.
func (s *recordParse) quotedField() (done bool, err error) {
	p := s.p
	s.rest = s.rest[1:]
	s.col++
	for {
		i := bytes.IndexByte(s.rest, '"')
		switch {
		case i >= 0:
			p.text = append(p.text, s.rest[:i]...)
			s.rest = s.rest[i+1:]
			s.col += i + 1
			if end, done, err := s.afterQuote(); end || err != nil {
				return done, err
			}
		case len(s.rest) > 0 || s.l.nl:
			if err := s.nextLine(); err != nil {
				return false, err
			}
		default: // the source ended inside the quotes
			return false, parseError(s.recLine, s.line, s.col, csv.ErrQuote)
		}
	}
}

// afterQuote reads what follows a quote inside a quoted cell: a second
// quote (data), the delimiter or the line's end (the cell ends), or
// anything else (malformed).
func (s *recordParse) afterQuote() (end, done bool, err error) {
	p := s.p
	switch r := firstRune(s.rest); {
	case r == '"':
		p.text = append(p.text, '"')
		s.rest = s.rest[1:]
		s.col++
		return false, false, nil
	case r == p.comma:
		w := utf8.RuneLen(p.comma)
		s.rest = s.rest[w:]
		s.col += w
		p.ends = append(p.ends, len(p.text))
		return true, false, nil
	case len(s.rest) == 0:
		p.ends = append(p.ends, len(p.text))
		return true, true, nil
	default:
		return true, false, parseError(s.recLine, p.line, s.col-1, csv.ErrQuote)
	}
}

// nextLine keeps the rest of the line, its line end as written, in the
// quoted cell and reads the next line.
func (s *recordParse) nextLine() error {
	p := s.p
	p.text = append(p.text, s.rest...)
	s.col += len(s.rest)
	if s.l.crlf {
		p.text = append(p.text, '\r')
	}
	if s.l.nl {
		p.text = append(p.text, '\n')
		s.col++
	}
	l, err := p.readLine()
	if err != nil && err != io.EOF {
		return err
	}
	s.l, s.rest = l, l.text
	if len(l.text) > 0 || l.nl {
		s.line++
		s.col = 1
	}
	return nil
}

// firstRune is the first character of b (utf8.RuneError when b is empty
// or starts with an invalid byte).
func firstRune(b []byte) rune {
	r, _ := utf8.DecodeRune(b)
	return r
}
