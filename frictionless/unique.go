package frictionless

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"
)

// uniqueChecker remembers the keys seen by unique fields and by the
// primary key. Memory per key (measured by BenchmarkUniqueKeyMemory): a
// single integer key in a map[int64]int32 costs about 40 bytes; any other
// key is kept as a string of its binary form in a map[string]int32, about
// 56 bytes plus the key's length (8 bytes per integer or number, 12 per
// date/time, the text of a string).
// ReadOptions.SkipUniqueCheck turns it off.
type uniqueChecker struct {
	checks []uniqueCheck
	buf    []byte
}

// uniqueCheck is one unique field or the primary key.
type uniqueCheck struct {
	fields []int // schema field indexes
	names  []string
	pk     bool
	ints   map[int64]int32  // for a single integer field
	keys   map[string]int32 // otherwise
}

// newUniqueChecker returns nil when the schema has no unique constraint.
func newUniqueChecker(s *Schema, casters []*caster) *uniqueChecker {
	u := &uniqueChecker{}
	for i, c := range casters {
		if c.unique {
			u.add([]int{i}, casters, false)
		}
	}
	if len(s.PrimaryKey) > 0 {
		idx := make([]int, len(s.PrimaryKey))
		for i, name := range s.PrimaryKey {
			idx[i] = s.FieldIndex(name)
		}
		if len(idx) != 1 || !casters[idx[0]].unique {
			u.add(idx, casters, true)
		}
	}
	if len(u.checks) == 0 {
		return nil
	}
	return u
}

func (u *uniqueChecker) add(idx []int, casters []*caster, pk bool) {
	chk := uniqueCheck{fields: idx, pk: pk}
	for _, i := range idx {
		chk.names = append(chk.names, casters[i].f.Name)
	}
	if len(idx) == 1 && (casters[idx[0]].kind == TypeInteger || casters[idx[0]].kind == TypeYear) {
		chk.ints = make(map[int64]int32)
	} else {
		chk.keys = make(map[string]int32)
	}
	u.checks = append(u.checks, chk)
}

// check records the row's keys; it returns an error for each key seen
// before. Missing values are never duplicates (as in SQL). A row with a
// duplicate records none of its keys.
func (u *uniqueChecker) check(row Row, raw []string, colOf []int, rowNum int) []FieldError {
	var errs []FieldError
	for ci := range u.checks {
		chk := &u.checks[ci]
		if first, dup := u.seen(chk, row, rowNum, false); dup {
			errs = append(errs, u.dupError(chk, raw, colOf, first))
		}
	}
	if errs != nil {
		return errs
	}
	for ci := range u.checks {
		u.seen(&u.checks[ci], row, rowNum, true)
	}
	return nil
}

// seen looks the row's key up (and stores it when store is set).
func (u *uniqueChecker) seen(chk *uniqueCheck, row Row, rowNum int, store bool) (int32, bool) {
	if chk.ints != nil {
		n, ok := row[chk.fields[0]].(int64)
		if !ok {
			return 0, false
		}
		if store {
			chk.ints[n] = int32(rowNum)
			return 0, false
		}
		first, dup := chk.ints[n]
		return first, dup
	}
	u.buf = u.buf[:0]
	for _, i := range chk.fields {
		if row[i] == nil {
			return 0, false
		}
		u.buf = appendKey(u.buf, row[i])
	}
	if store {
		chk.keys[string(u.buf)] = int32(rowNum)
		return 0, false
	}
	first, dup := chk.keys[string(u.buf)]
	return first, dup
}

// appendKey appends a length-prefixed binary form of a cast value: equal
// values (by number or instant) give equal bytes.
func appendKey(buf []byte, v any) []byte {
	var tmp [12]byte
	var b []byte
	switch x := v.(type) {
	case string:
		buf = binary.AppendUvarint(buf, uint64(len(x)))
		return append(buf, x...)
	case int64:
		b = binary.BigEndian.AppendUint64(tmp[:0], uint64(x))
	case float64:
		if x == 0 {
			x = 0 // -0 == 0
		}
		b = binary.BigEndian.AppendUint64(tmp[:0], math.Float64bits(x))
	case bool:
		b = tmp[:1]
		if x {
			b[0] = 1
		}
	case time.Time:
		b = binary.BigEndian.AppendUint64(tmp[:0], uint64(x.Unix()))
		b = binary.BigEndian.AppendUint32(b, uint32(x.Nanosecond()))
	case Decimal:
		k := x.key()
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		return append(buf, k...)
	default:
		txt, _ := formatValue("", v)
		b = []byte(txt)
	}
	buf = binary.AppendUvarint(buf, uint64(len(b)))
	return append(buf, b...)
}

func (u *uniqueChecker) dupError(chk *uniqueCheck, raw []string, colOf []int, first int32) FieldError {
	vals := make([]string, len(chk.fields))
	for k, i := range chk.fields {
		if j := colOf[i]; j >= 0 && j < len(raw) {
			vals[k] = raw[j]
		}
	}
	where := " (same as row " + strconv.Itoa(int(first)) + ")"
	if chk.pk {
		return FieldError{Field: chk.names[0], Value: vals[0],
			Reason: "primary key (" + strings.Join(vals, ", ") + ") is not unique" + where}
	}
	return FieldError{Field: chk.names[0], Value: vals[0],
		Reason: "value " + strconv.Quote(vals[0]) + " is not unique" + where}
}
