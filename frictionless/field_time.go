package frictionless

import (
	"fmt"
	"strings"
	"time"
)

// castTime handles date, datetime, time and yearmonth cells.
func (c *caster) castTime(raw string) (any, string) {
	var (
		t  time.Time
		ok bool
	)
	switch {
	case c.layout != "":
		t, ok = c.parseLayout(raw, c.layout)
	case c.format == "any":
		t, ok = c.parseAny(raw)
	default:
		t, ok = c.parseDefault(raw)
	}
	if !ok {
		return nil, c.cannotCast(raw, "")
	}
	return t, ""
}

// parseDefault parses the spec's default (ISO 8601) form of each type.
func (c *caster) parseDefault(s string) (time.Time, bool) {
	switch c.kind {
	case TypeDate:
		y, m, d, ok := parseISODate(s)
		if !ok || len(s) != 10 {
			return time.Time{}, false
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
	case TypeDateTime:
		return c.parseDateTime(s)
	case TypeTime:
		return c.parseClock(s, 0, 1, 1)
	}
	// yearmonth
	if len(s) != 7 || s[4] != '-' {
		return time.Time{}, false
	}
	y, ok1 := atoiN(s[0:4])
	m, ok2 := atoiN(s[5:7])
	if !ok1 || !ok2 || m < 1 || m > 12 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC), true
}

// parseDateTime parses YYYY-MM-DD[T ]hh:mm:ss[.f][Z|±hh:mm|±hhmm].
func (c *caster) parseDateTime(s string) (time.Time, bool) {
	if len(s) < 19 || (s[10] != 'T' && s[10] != ' ') {
		return time.Time{}, false
	}
	y, m, d, ok := parseISODate(s[:10])
	if !ok {
		return time.Time{}, false
	}
	return c.parseClock(s[11:], y, m, d)
}

// parseClock parses hh:mm:ss[.f][zone] and builds the time on y-m-d.
func (c *caster) parseClock(s string, y, mo, d int) (time.Time, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return time.Time{}, false
	}
	h, ok1 := atoiN(s[0:2])
	mi, ok2 := atoiN(s[3:5])
	sec, ok3 := atoiN(s[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest := s[8:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 100000000
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
		}
		if i == 1 || i > 10 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	loc, ok := c.location(rest)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nsec, loc), true
}

// location parses a zone suffix: "", "Z", ±hh:mm or ±hhmm. The last
// fixed zone is cached so that a column with one offset allocates once.
func (c *caster) location(z string) (*time.Location, bool) {
	if z == "" || z == "Z" {
		return time.UTC, true
	}
	if len(z) != 6 && len(z) != 5 || (z[0] != '+' && z[0] != '-') {
		return nil, false
	}
	mm := z[3:]
	if len(z) == 6 {
		if z[3] != ':' {
			return nil, false
		}
		mm = z[4:]
	}
	h, ok1 := atoiN(z[1:3])
	m, ok2 := atoiN(mm)
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return nil, false
	}
	off := (h*60 + m) * 60
	if z[0] == '-' {
		off = -off
	}
	if c.zone == nil || c.zoneOff != off {
		c.zone, c.zoneOff = time.FixedZone("", off), off
	}
	return c.zone, true
}

// parseISODate parses YYYY-MM-DD (the first 10 bytes of s) and checks the
// day exists.
func parseISODate(s string) (y, m, d int, ok bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := atoiN(s[0:4])
	m, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// daysIn returns the number of days of month m in year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoiN parses a short run of ASCII digits.
func atoiN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return n, len(s) > 0
}

// parseLayout parses s with a Go layout; a date or yearmonth keeps only
// its calendar part, a time is moved onto 0000-01-01.
func (c *caster) parseLayout(s, layout string) (time.Time, bool) {
	if c.isoLayout {
		if t, ok := c.parseISOLayout(s); ok {
			return c.normalize(t), true
		}
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return time.Time{}, false
	}
	return c.normalize(t), true
}

// The Go layouts of the formats "%Y-%m-%d %H:%M:%S" and
// "%Y-%m-%dT%H:%M:%S", the most common custom date-time formats.
const (
	isoSpaceLayout = "2006-01-02 15:04:05"
	isoTLayout     = "2006-01-02T15:04:05"
)

// parseISOLayout reads s when it has exactly the shape of the caster's
// layout (isoSpaceLayout or isoTLayout: 19 bytes, every field two digits,
// the year four) and is a valid time, without time.Parse's generality (a
// fifth of a validating load's CPU on such a column): the time
// time.ParseInLocation(layout, s, time.UTC) returns. ok is false for
// anything else, which time.Parse then decides.
func (c *caster) parseISOLayout(s string) (time.Time, bool) {
	if len(s) != len(isoSpaceLayout) || s[10] != c.layout[10] {
		return time.Time{}, false
	}
	return c.parseDateTime(s) // at this length: no fraction, no zone
}

// normalize trims a parsed time to what its type keeps.
func (c *caster) normalize(t time.Time) time.Time {
	switch c.kind {
	case TypeDate:
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	case TypeYearMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case TypeTime:
		return time.Date(0, 1, 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	}
	return t
}

// anyLayouts are tried, after the default form, for format "any".
var anyLayouts = map[FieldType][]string{
	TypeDate: {"2006-01-02", "2006/01/02", "02/01/2006", "01/02/2006", "02.01.2006",
		"2 Jan 2006", "Jan 2, 2006", "January 2, 2006", "20060102"},
	TypeDateTime: {time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04", "2006-01-02T15:04", time.RFC1123, time.RFC1123Z, time.RFC850,
		time.ANSIC, "02/01/2006 15:04:05", "2006/01/02 15:04:05"},
	TypeTime:      {"15:04:05", "15:04", "3:04PM", "3:04 PM", "15:04:05Z07:00"},
	TypeYearMonth: {"2006-01", "2006/01", "01/2006", "Jan 2006", "January 2006"},
}

// parseAny tries the default form, then common layouts.
func (c *caster) parseAny(s string) (time.Time, bool) {
	if t, ok := c.parseDefault(s); ok {
		return t, true
	}
	for _, l := range anyLayouts[c.kind] {
		if t, ok := c.parseLayout(s, l); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// strftimeDirectives maps Python strftime directives to Go layout parts.
var strftimeDirectives = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'H': "15", 'I': "03",
	'M': "04", 'S': "05", 'p': "PM", 'b': "Jan", 'B': "January", 'a': "Mon",
	'A': "Monday", 'z': "-0700", 'Z': "MST", 'f': "000000", 'j': "002", '%': "%",
}

// strftimeLayout converts a Table Schema (Python strftime) pattern such as
// "%d/%m/%Y" to a Go time layout.
func strftimeLayout(format string) (string, error) {
	if !strings.Contains(format, "%") {
		return "", fmt.Errorf("format %q is not a strftime pattern (e.g. %%d/%%m/%%Y) or \"any\"", format)
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		if i+1 >= len(format) {
			return "", fmt.Errorf("format %q ends with a lone %%", format)
		}
		i++
		part, ok := strftimeDirectives[format[i]]
		if !ok {
			return "", fmt.Errorf("format %q: unsupported directive %%%c", format, format[i])
		}
		b.WriteString(part)
	}
	return b.String(), nil
}
