package frictionless

// rowCheck casts the cells of a row and checks every constraint; Reader
// and RowCaster share it.
type rowCheck struct {
	casters   []*caster
	missing   []string
	onlyEmpty bool
	uniq      *uniqueChecker
}

// newRowCheck compiles s (a *DescriptorError when invalid).
func newRowCheck(s *Schema, skipUnique bool) (rowCheck, error) {
	casters, err := compileSchema(s)
	if err != nil {
		return rowCheck{}, err
	}
	rc := rowCheck{casters: casters, missing: s.missingValues()}
	rc.onlyEmpty = len(rc.missing) == 1 && rc.missing[0] == ""
	if !skipUnique {
		rc.uniq = newUniqueChecker(s, casters)
	}
	return rc, nil
}

// castCells fills row from the raw cells (colOf maps fields to cells, -1
// for none) and returns every failure; nil means the row is valid (and
// its keys are then recorded).
func (rc *rowCheck) castCells(rec []string, colOf []int, row Row, rowNum int) []FieldError {
	var errs []FieldError
	for i, c := range rc.casters {
		raw, present := "", false
		if j := colOf[i]; j >= 0 {
			raw, present = rec[j], true
		}
		if !present || rc.isMissing(raw) {
			row[i] = nil
			if c.required {
				errs = append(errs, FieldError{Field: c.f.Name, Value: raw, Reason: "value is required"})
			}
			continue
		}
		v, reason := c.cast(raw)
		if reason != "" {
			row[i] = nil
			errs = append(errs, FieldError{Field: c.f.Name, Value: raw, Reason: reason})
			continue
		}
		row[i] = v
	}
	if errs == nil && rc.uniq != nil {
		errs = rc.uniq.check(row, rec, colOf, rowNum)
	}
	return errs
}

// isMissing reports whether raw is one of the schema's missing values.
func (rc *rowCheck) isMissing(raw string) bool {
	if rc.onlyEmpty {
		return raw == ""
	}
	for _, m := range rc.missing {
		if raw == m {
			return true
		}
	}
	return false
}
