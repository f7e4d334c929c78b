package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	mysqldrv "github.com/go-sql-driver/mysql"
)

// MySQL appends and replaces send each write of at least minLoadRows rows
// with LOAD DATA LOCAL INFILE, streamed from memory through go-sql-driver's
// reader handler (the rows of one write, as tab-separated text), instead of
// multi-row INSERTs. With LOCAL the server cannot stop the stream, so it
// turns data errors (a duplicate key, a value the column cannot hold) into
// warnings and skips or cuts the row instead of failing: a write whose
// LOAD DATA fails, reports a warning or stores another number of rows than
// it was sent is rolled back to its savepoint and written again with the
// INSERT path, which refuses it as before (the loader then splits it until
// each refused row is a reject). So rejects stay exact; a batch with a bad
// row costs a LOAD DATA more. Upserts stay on INSERT … ON DUPLICATE KEY
// UPDATE (LOAD DATA's REPLACE deletes and reinserts, which is not an
// update).

// minLoadRows is the smallest write sent with LOAD DATA (smaller ones, as
// the loader's splits of a refused write get, go on the INSERT path).
var minLoadRows = 256

// mysqlLoad writes rows with LOAD DATA LOCAL INFILE.
type mysqlLoad struct {
	stmt   string // LOAD DATA … INTO TABLE … (columns)
	reader string // the reader handler's name
	fields []frictionless.Field
	check  func(f *frictionless.Field, v any) error
	maxRow int
	buf    bytes.Buffer
}

// newMySQLLoad prepares LOAD DATA into table (quoted) for fields.
func newMySQLLoad(d dialect, into string, fields []frictionless.Field, maxRow int) *mysqlLoad {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	l := &mysqlLoad{reader: "datafactory-" + hex.EncodeToString(b[:]), fields: fields, check: mysqlCheckValue, maxRow: maxRow}
	l.stmt = "LOAD DATA LOCAL INFILE 'Reader::" + l.reader + "' INTO TABLE " + into +
		" CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" +
		quoteList(d, fieldNames(fields)) + ")"
	return l
}

// errNeedsInsert stops a LOAD DATA stream at a value that needs the INSERT
// path.
var errNeedsInsert = errors.New("sqlstore: a value needs the INSERT path")

// write loads rows under a savepoint. It reports false, with the
// transaction as it was, when the rows must go the INSERT path instead.
func (l *mysqlLoad) write(ctx context.Context, tx *sql.Tx, rows []frictionless.Row) (bool, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT df_load"); err != nil {
		return false, err
	}
	ok, err := l.load(ctx, tx, rows)
	if err == nil && ok {
		_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT df_load")
		return err == nil, err
	}
	if ctx.Err() != nil {
		return false, errors.Join(ctx.Err(), err)
	}
	bg := context.WithoutCancel(ctx)
	if _, rerr := tx.ExecContext(bg, "ROLLBACK TO SAVEPOINT df_load"); rerr != nil {
		return false, errors.Join(err, rerr)
	}
	_, rerr := tx.ExecContext(bg, "RELEASE SAVEPOINT df_load")
	return false, rerr
}

// load runs LOAD DATA on rows, encoded on a second goroutine while the
// connection streams what is already encoded, and reports whether the
// server stored them all without a warning (err is LOAD DATA's own; a
// value that needs the INSERT path stops the stream and reports false).
func (l *mysqlLoad) load(ctx context.Context, tx *sql.Tx, rows []frictionless.Row) (bool, error) {
	pr, pw := io.Pipe()
	encoded := make(chan bool, 1)
	go func() {
		ok := l.stream(pw, rows)
		pw.Close()
		encoded <- ok
	}()
	mysqldrv.RegisterReaderHandler(l.reader, func() io.Reader { return pr })
	res, err := tx.ExecContext(ctx, l.stmt)
	mysqldrv.DeregisterReaderHandler(l.reader)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the encoder if the statement stopped early
	if !<-encoded || err != nil {
		if errors.Is(err, errNeedsInsert) {
			err = nil
		}
		return false, err
	}
	got, err := res.RowsAffected()
	if err != nil || got != int64(len(rows)) {
		return false, err
	}
	var warnings int
	if err := tx.QueryRowContext(ctx, "SELECT @@warning_count").Scan(&warnings); err != nil {
		return false, err
	}
	return warnings == 0, nil
}

// loadChunk is how many rows are encoded before they are handed to the
// connection.
const loadChunk = 1000

// stream writes rows as LOAD DATA text to pw in chunks; at a value that
// needs the INSERT path it closes pw with errNeedsInsert and reports
// false.
func (l *mysqlLoad) stream(pw *io.PipeWriter, rows []frictionless.Row) bool {
	for len(rows) > 0 {
		n := min(len(rows), loadChunk)
		if !l.encode(rows[:n]) {
			pw.CloseWithError(errNeedsInsert)
			return false
		}
		if _, err := pw.Write(l.buf.Bytes()); err != nil {
			return true // the statement stopped: its error says why
		}
		rows = rows[n:]
	}
	return true
}

// encode renders rows as LOAD DATA text into l.buf; false when a value
// needs the INSERT path (it refuses it, or its type has no text form here).
func (l *mysqlLoad) encode(rows []frictionless.Row) bool {
	l.buf.Reset()
	for _, r := range rows {
		start := l.buf.Len()
		for j := range l.fields {
			if j > 0 {
				l.buf.WriteByte('\t')
			}
			if l.check(&l.fields[j], r[j]) != nil || !l.value(&l.fields[j], r[j]) {
				return false
			}
		}
		if l.maxRow > 0 && l.buf.Len()-start > l.maxRow {
			return false // the INSERT path refuses it as one reject
		}
		l.buf.WriteByte('\n')
	}
	return true
}

// value writes one value: the common kinds straight into l.buf, the
// others through encodeValue.
func (l *mysqlLoad) value(f *frictionless.Field, v any) bool {
	switch x := v.(type) {
	case int64:
		l.buf.Write(strconv.AppendInt(l.buf.AvailableBuffer(), x, 10))
		return true
	case string:
		escapeLoad(&l.buf, x)
		return true
	case time.Time:
		if f.Type == frictionless.TypeDateTime && !x.IsZero() {
			if b, ok := appendDateTime(l.buf.AvailableBuffer(), x, true); ok {
				l.buf.Write(b)
				return true
			}
		}
	}
	enc, err := encodeValue(f, v, true)
	if err != nil {
		return false
	}
	switch x := enc.(type) {
	case nil:
		l.buf.WriteString(`\N`)
	case int64:
		l.buf.WriteString(strconv.FormatInt(x, 10))
	case float64:
		l.buf.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		escapeLoad(&l.buf, x)
	case time.Time:
		layout := "2006-01-02 15:04:05.999999"
		if f.Type == frictionless.TypeDate || f.Type == frictionless.TypeYearMonth {
			layout = "2006-01-02"
		}
		l.buf.WriteString(x.Format(layout))
	default:
		return false
	}
	return true
}

// loadEscaped marks the bytes escapeLoad escapes.
var loadEscaped = [256]bool{'\\': true, '\t': true, '\n': true, '\r': true, 0: true}

// escapeLoad writes s escaped for LOAD DATA (ESCAPED BY '\\').
func escapeLoad(b *bytes.Buffer, s string) {
	i := 0
	for i < len(s) && !loadEscaped[s[i]] {
		i++
	}
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
}
