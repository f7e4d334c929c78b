package frictionless

// Record is one CSV record as [Reader.ReadRecord] read it, not yet cast.
type Record struct {
	// Cells are the record's cells. The strings stay valid; the slice is
	// reused by the next ReadRecord (copy it to keep it).
	Cells []string
	// Line is the source line the record starts on.
	Line int
	// Row is the record's row number (as a [RowError]'s Row counts rows).
	Row int
	// ascii tells that the cells are ASCII without NUL, as the splitting
	// found: castRecord's UTF-8 and NUL checks can be skipped.
	ascii bool
}

// ReadRecord reads the next record without casting it, for callers that
// cast records on several goroutines with [Reader.CastRecord]. It returns
// what Read would return for the record except the cast: io.EOF at the end,
// header problems first, a *RowError for a record with malformed quoting
// (counted as a row), any other error as fatal and sticky. Stats counts
// the records as rows, not as valid or invalid. Read a Reader with Read or
// with ReadRecord, not both.
func (r *Reader) ReadRecord() (Record, error) {
	rec, err := r.next()
	if err != nil {
		return Record{}, err
	}
	return Record{Cells: rec, Line: r.records.recLine, Row: r.rowNum, ascii: r.records.ascii}, nil
}

// CastRecord casts and checks a record from ReadRecord as Read would, into
// dst (a Row of the schema's length; nil: a new Row). When [Reader.ConcurrentCast] is true it may run on several
// goroutines at once, also while ReadRecord runs; else (unique keys are
// checked) call it on one goroutine in record order.
func (r *Reader) CastRecord(rec Record, dst Row) (Row, *RowError) {
	if len(dst) != len(r.casters) {
		dst = make(Row, len(r.casters))
	}
	return r.castRecord(rec, dst)
}

// ConcurrentCast reports whether CastRecord may run on several goroutines:
// the Reader keeps no state across rows (unique checks are off).
func (r *Reader) ConcurrentCast() bool { return r.check.uniq == nil }
