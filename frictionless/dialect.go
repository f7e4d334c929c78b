package frictionless

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Dialect is a CSV Dialect descriptor. The zero value (and nil) means the
// spec defaults: comma, double quote, doubled quotes, a header row.
type Dialect struct {
	Delimiter        string // "" → ","
	QuoteChar        string // "" → `"` (the only supported quote character)
	DoubleQuote      *bool  // nil → true (false is not supported)
	Header           *bool  // nil → true
	LineTerminator   string // "" → "\r\n" when writing; reading accepts LF and CRLF
	SkipInitialSpace bool
	CommentChar      string // "" → no comment lines
	// CaseSensitiveHeader makes header names match field names only with
	// the same case; default false (an exact match is still preferred).
	CaseSensitiveHeader bool
	// Extra keeps unknown properties; they are written back unchanged.
	Extra map[string]json.RawMessage
}

// HasHeader reports whether the first row is a header (default true).
func (d *Dialect) HasHeader() bool { return d == nil || d.Header == nil || *d.Header }

// csvConfig is a dialect resolved for reading and writing CSV.
type csvConfig struct {
	comma      rune
	comment    rune
	trimSpace  bool
	header     bool
	caseSens   bool
	terminator string
}

// resolve validates the dialect; path names it in errors ("dialect").
func (d *Dialect) resolve(path string) (csvConfig, error) {
	cfg := csvConfig{comma: ',', header: d.HasHeader(), terminator: "\r\n"}
	if d == nil {
		return cfg, nil
	}
	cfg.trimSpace = d.SkipInitialSpace
	cfg.caseSens = d.CaseSensitiveHeader
	if d.Delimiter != "" {
		r, ok := singleRune(d.Delimiter)
		if !ok || !validCSVRune(r) {
			return cfg, descErr(joinPath(path, "delimiter"), "must be one character other than NUL, a quote or a line break, not %q", d.Delimiter)
		}
		cfg.comma = r
	}
	if d.QuoteChar != "" && d.QuoteChar != `"` {
		return cfg, unsupported(joinPath(path, "quoteChar"), "only %q is supported, not %q", `"`, d.QuoteChar)
	}
	if d.DoubleQuote != nil && !*d.DoubleQuote {
		return cfg, unsupported(joinPath(path, "doubleQuote"), "false is not supported")
	}
	if d.CommentChar != "" {
		r, ok := singleRune(d.CommentChar)
		if !ok || r == cfg.comma || !validCSVRune(r) {
			return cfg, descErr(joinPath(path, "commentChar"), "must be one character other than the delimiter, NUL, a quote or a line break, not %q", d.CommentChar)
		}
		cfg.comment = r
	}
	switch d.LineTerminator {
	case "":
	case "\n", "\r\n":
		cfg.terminator = d.LineTerminator
	default:
		return cfg, unsupported(joinPath(path, "lineTerminator"), "only \"\\n\" and \"\\r\\n\" are supported, not %q", d.LineTerminator)
	}
	return cfg, nil
}

// unsupported is a *DescriptorError that also matches errors.ErrUnsupported.
func unsupported(path, format string, args ...any) error {
	return fmt.Errorf("%w (%w)", descErr(path, format, args...), errors.ErrUnsupported)
}

// validCSVRune reports whether r can be a delimiter or comment character
// (for our reader as for encoding/csv).
func validCSVRune(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

func singleRune(s string) (rune, bool) {
	r, n := utf8.DecodeRuneInString(s)
	return r, n == len(s) && n > 0
}

// UnmarshalJSON decodes a CSV Dialect; unknown properties go to Extra.
func (d *Dialect) UnmarshalJSON(data []byte) error {
	v, err := decodeDialect(data, "")
	if err != nil {
		return err
	}
	*d = *v
	return nil
}

func decodeDialect(data []byte, path string) (*Dialect, error) {
	o, err := parseObject(data, path)
	if err != nil {
		return nil, err
	}
	d := &Dialect{}
	for _, step := range []error{
		o.str("delimiter", &d.Delimiter), o.str("quoteChar", &d.QuoteChar),
		o.boolPtr("doubleQuote", &d.DoubleQuote), o.boolPtr("header", &d.Header),
		o.str("lineTerminator", &d.LineTerminator), o.boolean("skipInitialSpace", &d.SkipInitialSpace),
		o.str("commentChar", &d.CommentChar), o.boolean("caseSensitiveHeader", &d.CaseSensitiveHeader),
	} {
		if step != nil {
			return nil, step
		}
	}
	d.Extra = o.rest()
	return d, nil
}

// MarshalJSON encodes the dialect, unknown properties included.
func (d Dialect) MarshalJSON() ([]byte, error) {
	w := newObjWriter()
	w.str("delimiter", d.Delimiter)
	w.str("quoteChar", d.QuoteChar)
	if d.DoubleQuote != nil {
		w.value("doubleQuote", *d.DoubleQuote)
	}
	if d.Header != nil {
		w.value("header", *d.Header)
	}
	w.str("lineTerminator", d.LineTerminator)
	if d.SkipInitialSpace {
		w.value("skipInitialSpace", true)
	}
	w.str("commentChar", d.CommentChar)
	if d.CaseSensitiveHeader {
		w.value("caseSensitiveHeader", true)
	}
	w.extra(d.Extra)
	return w.bytes()
}
