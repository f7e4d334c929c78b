package input

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// cellKind is what a number format shows.
type cellKind int

const (
	kindGeneral  cellKind = iota // General, text: shown as stored
	kindNumber                   // a number format: written in full instead
	kindDate                     // date only
	kindDateTime                 // date and time
	kindTime                     // time of day or elapsed time
)

// Date cells are formatted as their serial number followed by a marker
// rune of the Unicode private use area (which no real text ends with), and
// converted to ISO text by isoCell: excelize's own date formatting costs
// about 40 µs a cell.
const (
	markDate     = '\uE000'
	markDateTime = '\uE001'
	markTime     = '\uE002'
)

// markerFormats are the number formats date cells get.
var markerFormats = map[cellKind]string{
	kindDate:     "0.0000000000\"\uE000\"",
	kindDateTime: "0.0000000000\"\uE001\"",
	kindTime:     "0.0000000000\"\uE002\"",
}

// isoDateStyles rewrites the workbook's cell styles in memory (the file is
// never saved) so that excelize's formatter writes dates as marked serial
// numbers and numbers without their display format.
func isoDateStyles(f *excelize.File) error {
	iso := map[cellKind]int{}
	for kind, code := range markerFormats {
		sid, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		iso[kind] = *f.Styles.CellXfs.Xf[sid].NumFmtID
	}
	custom := map[int]string{}
	if f.Styles.NumFmts != nil {
		for _, nf := range f.Styles.NumFmts.NumFmt {
			custom[nf.NumFmtID] = nf.FormatCode
		}
	}
	for i := range f.Styles.CellXfs.Xf {
		xf := &f.Styles.CellXfs.Xf[i]
		if xf.NumFmtID == nil {
			continue
		}
		switch kind := formatKind(*xf.NumFmtID, custom); kind {
		case kindNumber:
			general := 0
			xf.NumFmtID = &general
		case kindDate, kindDateTime, kindTime:
			id := iso[kind]
			xf.NumFmtID = &id
		}
	}
	return nil
}

// formatKind classifies a number format id (built-in or custom).
func formatKind(id int, custom map[int]string) cellKind {
	if code, ok := custom[id]; ok {
		return codeKind(code)
	}
	switch {
	case id == 0 || id == 49: // General, text
		return kindGeneral
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return kindDate
	case id == 22:
		return kindDateTime
	case id >= 18 && id <= 21, id >= 32 && id <= 33, id >= 45 && id <= 47:
		return kindTime
	default:
		return kindNumber
	}
}

// codeKind classifies a custom format code by its date and time tokens,
// ignoring quoted text, escaped characters and [colour]/[locale] sections.
func codeKind(code string) cellKind {
	code, _, _ = strings.Cut(code, ";") // the positive-number section decides
	var date, clock bool
	for i := 0; i < len(code); i++ {
		switch c := code[i] | 0x20; {
		case code[i] == '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			}
		case code[i] == '\\' || code[i] == '_' || code[i] == '*':
			i++
		case code[i] == '[':
			j := strings.IndexByte(code[i:], ']')
			if j < 0 {
				break
			}
			switch strings.ToLower(code[i+1 : i+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				clock = true
			}
			i += j
		case c == 'y' || c == 'd':
			date = true
		case c == 'h' || c == 's':
			clock = true
		}
	}
	switch {
	case date && clock:
		return kindDateTime
	case date:
		return kindDate
	case clock:
		return kindTime
	}
	if strings.ContainsAny(code, "0#?") {
		return kindNumber
	}
	if strings.Contains(strings.ToLower(code), "m") { // "mmm" month names alone
		return kindDate
	}
	return kindGeneral
}

// isoCell turns a marked serial number back into ISO text: "2024-03-01",
// "2024-03-01 13:45:00" or "13:45:00" (with milliseconds when there are
// any). Other cells are returned as they are.
func isoCell(cell string, date1904 bool) string {
	r, size := utf8.DecodeLastRuneInString(cell)
	if r < markDate || r > markTime {
		return cell
	}
	serial, err := strconv.ParseFloat(cell[:len(cell)-size], 64)
	if err != nil {
		return cell
	}
	if r == markTime {
		serial -= math.Floor(serial) // elapsed days drop; the time of day stays
	}
	t, err := excelize.ExcelDateToTime(serial, date1904)
	if err != nil {
		return cell
	}
	t = t.Round(time.Millisecond)
	switch r {
	case markDate:
		return t.Format("2006-01-02")
	case markTime:
		return t.Format("15:04:05.999")
	default:
		return t.Format("2006-01-02 15:04:05.999")
	}
}
