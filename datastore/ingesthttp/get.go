package ingesthttp

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/datafactory/datafactory/internal/httplog"
)

// errFound stops the row scan.
var errFound = errors.New("found")

// getRow answers one row by its single-column primary key, as an object of
// field name to value. The store has no keyed lookup, so the rows are scanned
// in key order until the key is found.
func (h *Handler) getRow(w http.ResponseWriter, r *http.Request) {
	table, schema := h.tableSchema(w, r)
	if schema == nil {
		return
	}
	described, err := h.store.DescribeTable(r.Context(), table)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if len(described.PrimaryKey) != 1 {
		httplog.Message(w, http.StatusBadRequest, fmt.Sprintf("table %q has no single-column primary key", table))
		return
	}
	keyField := described.PrimaryKey[0]
	fi := described.FieldIndex(keyField)
	want, err := described.Fields[fi].Cast(r.PathValue("id"))
	if err != nil || want == nil {
		httplog.Message(w, http.StatusBadRequest, fmt.Sprintf("bad id for %s", keyField))
		return
	}
	var found map[string]any
	_, err = h.store.ReadRows(r.Context(), table, func(row frictionless.Row) error {
		if !sameValue(row[fi], want) {
			return nil
		}
		found = rowObject(described, row)
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		h.internal(w, r, err)
		return
	}
	if found == nil {
		httplog.Message(w, http.StatusNotFound, fmt.Sprintf("no row with %s = %s in %q", keyField, r.PathValue("id"), table))
		return
	}
	httplog.JSON(w, http.StatusOK, found)
}

// rowObject turns a row into a JSON object: numbers (exact decimals as
// JSON numbers with every digit), booleans and strings as they are, other
// values in their canonical Table Schema text.
func rowObject(s *frictionless.Schema, row frictionless.Row) map[string]any {
	obj := make(map[string]any, len(row))
	for i, v := range row {
		f := &s.Fields[i]
		switch v.(type) {
		case nil, int64, float64, bool, string, frictionless.Decimal: // a Decimal is a JSON number, NaN and INF strings
			obj[f.Name] = v
		default:
			txt, err := f.FormatValue(v)
			if err != nil {
				txt = fmt.Sprint(v)
			}
			obj[f.Name] = txt
		}
	}
	return obj
}

// sameValue compares two cell values of the same field.
func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	if da, ok := a.(frictionless.Decimal); ok { // by value: "1.10" is "1.1"
		db, ok := b.(frictionless.Decimal)
		return ok && da.Cmp(db) == 0
	}
	return reflect.DeepEqual(a, b)
}
