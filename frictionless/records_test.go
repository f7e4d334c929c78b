package frictionless

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// recordEvent is what one read of a record reader gave.
type recordEvent struct {
	Cells []string
	Line  int
	Err   string // the parse error, with its lines and column
	Raw   []string
	ASCII bool
}

// recordConfigs are the dialects the record tests read with: one-byte and
// multi-byte delimiters, comments, trimmed leading space.
var recordConfigs = []csvConfig{
	{comma: ','}, {comma: ';'}, {comma: '\t'}, {comma: 'é'}, {comma: '€'},
	{comma: ',', comment: '#'}, {comma: ',', trimSpace: true},
	{comma: '€', comment: '§', trimSpace: true},
}

// oracleRecords reads input with encoding/csv over lineEnds, as the
// Reader did before recordReader.
func oracleRecords(input string, cfg csvConfig) ([]recordEvent, error) {
	tail := &sourceTail{r: newLineEnds(strings.NewReader(input), cfg.comma, cfg.trimSpace)}
	cr := csv.NewReader(tail)
	cr.Comma, cr.Comment, cr.TrimLeadingSpace = cfg.comma, cfg.comment, cfg.trimSpace
	cr.FieldsPerRecord = -1
	var out []recordEvent
	for {
		start := cr.InputOffset()
		rec, err := cr.Read()
		var pe *csv.ParseError
		switch {
		case err == io.EOF:
			return out, nil
		case errors.As(err, &pe):
			out = append(out, recordEvent{Err: pe.Error(), Raw: tail.lines(start, cr.InputOffset())})
		case err != nil:
			return out, err
		default:
			line, _ := cr.FieldPos(0)
			out = append(out, recordEvent{Cells: rec, Line: line})
		}
		tail.mark(cr.InputOffset())
	}
}

// readRecords reads src with a recordReader whose buffer starts at bufSize.
func readRecords(src io.Reader, cfg csvConfig, bufSize int) ([]recordEvent, error) {
	p := newRecordReader(newLineEnds(src, cfg.comma, cfg.trimSpace), cfg)
	p.buf = make([]byte, bufSize)
	var out []recordEvent
	for {
		rec, err := p.read()
		var pe *csv.ParseError
		switch {
		case err == io.EOF:
			return out, nil
		case errors.As(err, &pe):
			out = append(out, recordEvent{Err: pe.Error(), Raw: p.rawLines()})
		case err != nil:
			return out, err
		default:
			out = append(out, recordEvent{Cells: append([]string(nil), rec...), Line: p.recLine, ASCII: p.ascii})
		}
	}
}

// requireSameRecords compares a recordReader's records with the oracle's:
// the same cells (ours with each CRLF made LF, as encoding/csv gives a
// quoted cell's line ends), lines and errors; the raw
// lines of a malformed record start at its first line, where the oracle's
// also hold the empty and comment lines before it.
func requireSameRecords(t *testing.T, want, got []recordEvent, cfg csvConfig, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i, w := range want {
		g := got[i]
		require.Equal(t, w.Err, g.Err, "%s: record %d", msg, i)
		require.Equal(t, w.Line, g.Line, "%s: record %d", msg, i)
		require.Equal(t, w.Cells, lfOnly(g.Cells), "%s: record %d", msg, i)
		if g.ASCII {
			for _, c := range g.Cells {
				require.Empty(t, cellProblem(c, 0), "%s: record %d is marked ASCII", msg, i)
				require.False(t, strings.ContainsFunc(c, func(r rune) bool { return r >= utf8.RuneSelf }), "%s: record %d", msg, i)
			}
		}
		if w.Err == "" {
			continue
		}
		require.NotEmpty(t, g.Raw, "%s: record %d", msg, i)
		k := len(w.Raw) - len(g.Raw)
		require.GreaterOrEqual(t, k, 0, "%s: record %d raw %q, oracle %q", msg, i, g.Raw, w.Raw)
		require.Equal(t, w.Raw[k:], g.Raw, "%s: record %d", msg, i)
		for _, skipped := range w.Raw[:k] {
			r, _ := utf8.DecodeRuneInString(skipped)
			require.True(t, skipped == "" || cfg.comment != 0 && r == cfg.comment, "%s: record %d: raw starts with %q", msg, i, skipped)
		}
	}
}

// lfOnly is cells as encoding/csv reads them: each CRLF (in a quoted cell,
// always at a line's end) made LF.
func lfOnly(cells []string) []string {
	if cells == nil {
		return nil
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "\r\n", "\n")
	}
	return out
}

// recordSeeds are inputs with every kind of record: plain, quoted over
// lines, CRLF and CR line ends, empty and comment lines, malformed quoting
// in each place, a last line without a line end, NUL and UTF-8.
var recordSeeds = []string{
	"a,b,c\n1,2,3\n",
	"a,b\r\n1,2\r\n",
	"a,b\r1,2\r3,4",
	"\n\na,b\n\n\n1,2\n\n",
	"# comment\na,b\n#x,\"y\n1,2\n",
	"1,\"two\nlines\",3\n4,5,6\n",
	"1,\"crlf\r\nin quotes\",3\r\n4,5,6\r\n",
	"1,\"lone\rcr\",3\n",
	"1,\"a \"\"quoted\"\" word\",3\n",
	"1,e\"d,3\n4,5,6\n",
	"1,\"a\"b,3\n4,5,6\n",
	"1,\"unterminated,3\n4,5,6\n",
	"1,\"unterminated at the end",
	"1,\"ends in cr\r",
	"\"\"\n\"\",\"\"\n,\n",
	"  a,  \"b\",c  \n \t\"x\" ,y\n",
	"1€\"2€3\"€4\n5€6\n",
	"é,è\nÿ€\x00,\xff\n",
	"last line, no end",
	"a,b,\n,,\n",
	"\"a\"\r\n\"b\"\r",
	"x,\"y\"\"\n\"\"z\"\n",
	"§c€d\n § e€\"f\"\n",
}

func TestRecordReaderMatchesEncodingCSV(t *testing.T) {
	t.Parallel()
	for _, input := range recordSeeds {
		for _, cfg := range recordConfigs {
			compareRecordReaders(t, input, cfg)
		}
	}
}

// compareRecordReaders reads input with the oracle and with recordReader,
// whole and one byte at a time, with a buffer of 64 KiB and of one byte.
func compareRecordReaders(t *testing.T, input string, cfg csvConfig) {
	t.Helper()
	want, err := oracleRecords(input, cfg)
	require.NoError(t, err)
	for _, oneByte := range []bool{false, true} {
		for _, size := range []int{recordBufSize, 1} {
			var src io.Reader = strings.NewReader(input)
			if oneByte {
				src = iotest.OneByteReader(src)
			}
			got, err := readRecords(src, cfg, size)
			require.NoError(t, err)
			requireSameRecords(t, want, got, cfg, fmt.Sprintf("input %q, %+v, one byte %v, buffer %d", input, cfg, oneByte, size))
		}
	}
}

func FuzzRecordReader(f *testing.F) {
	for i, s := range recordSeeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, input string, mode uint8) {
		compareRecordReaders(t, input, recordConfigs[int(mode)%len(recordConfigs)])
	})
}

func TestRecordReaderLongLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3*recordBufSize)
	input := "a," + long + "\n\"" + long + "\",b\nc,d\n\"" + long + "\"x\n"
	want := []recordEvent{
		{Cells: []string{"a", long}, Line: 1, ASCII: true},
		{Cells: []string{long, "b"}, Line: 2},
		{Cells: []string{"c", "d"}, Line: 3, ASCII: true},
	}
	for _, oneByte := range []bool{false, true} {
		var src io.Reader = strings.NewReader(input)
		if oneByte {
			src = iotest.HalfReader(src)
		}
		got, err := readRecords(src, csvConfig{comma: ','}, recordBufSize)
		require.NoError(t, err)
		require.Len(t, got, 4)
		require.Equal(t, want, got[:3])
		require.Equal(t, `parse error on line 4, column 196610: extraneous or missing " in quoted-field`, got[3].Err)
		require.Len(t, got[3].Raw, 1, "the raw text of a malformed record is cut")
		require.Equal(t, "\""+long[:maxRawSource-1]+"…", got[3].Raw[0])
	}
}

func TestRecordReaderSourceError(t *testing.T) {
	t.Parallel()
	broken := errors.New("disk on fire")
	for _, input := range []string{"a,b\n1,2\n3,", "a,b\n\"1\n2", "a,b\n1,2\n"} {
		src := io.MultiReader(strings.NewReader(input), iotest.ErrReader(broken))
		got, err := readRecords(src, csvConfig{comma: ','}, 4)
		require.ErrorIs(t, err, broken, "%q", input)
		require.LessOrEqual(t, len(got), 2)
	}
	s := &Schema{Fields: []Field{{Name: "a", Type: TypeInteger}, {Name: "b", Type: TypeInteger}}}
	rd, err := NewReader(io.MultiReader(strings.NewReader("a,b\n1,2\n3,"), iotest.ErrReader(broken)), s, nil)
	require.NoError(t, err)
	row, err := rd.Read()
	require.NoError(t, err)
	require.Equal(t, Row{int64(1), int64(2)}, row)
	for range 2 {
		_, err = rd.Read()
		require.ErrorIs(t, err, broken, "a source error is fatal and sticky")
		require.Contains(t, err.Error(), "frictionless: read CSV: disk on fire")
	}
}

func TestReaderMalformedRawStartsAtItsLine(t *testing.T) {
	t.Parallel()
	s := &Schema{Fields: []Field{{Name: "a", Type: TypeString}, {Name: "b", Type: TypeString}}}
	rd, err := NewReader(strings.NewReader("a,b\n1,2\n\n\n3,x\"y\n4,5\n"), s, nil)
	require.NoError(t, err)
	rows, errs := readAll(t, rd)
	require.Len(t, rows, 2)
	require.Len(t, errs, 1)
	require.Equal(t, 5, errs[0].Line)
	require.Equal(t, []string{`3,x"y`}, errs[0].Raw, "the empty lines before the record are not its text")
}

// BenchmarkSplitRecords splits 100,000 employees rows (LF and CRLF line
// ends) into records: recordReader against encoding/csv over lineEnds, the
// Reader's splitting before it.
func BenchmarkSplitRecords(b *testing.B) {
	crlf := employeesCSV(100_000)
	lf := []byte(strings.ReplaceAll(string(crlf), "\r\n", "\n"))
	cfg := csvConfig{comma: ','}
	for _, in := range []struct {
		name string
		data []byte
	}{{"LF", lf}, {"CRLF", crlf}} {
		b.Run(in.name+"/recordReader", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for range b.N {
				p := newRecordReader(newLineEnds(bytes.NewReader(in.data), ',', false), cfg)
				for {
					if _, err := p.read(); err != nil {
						break
					}
				}
			}
		})
		b.Run(in.name+"/encoding-csv", func(b *testing.B) {
			b.SetBytes(int64(len(in.data)))
			for range b.N {
				cr := csv.NewReader(newLineEnds(bytes.NewReader(in.data), ',', false))
				cr.FieldsPerRecord, cr.ReuseRecord = -1, true
				for {
					if _, err := cr.Read(); err != nil {
						break
					}
				}
			}
		})
	}
}
