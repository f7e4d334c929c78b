package avrobak

import (
	"strconv"
	"strings"
)

// avroName turns s into a valid Avro name ([A-Za-z_][A-Za-z0-9_]*): every
// other character becomes '_', and a leading digit (or an empty name) gets
// a '_' prefix. Table Schema names may hold any character; the file keeps
// the original names in its Table Schema metadata.
func avroName(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// nameSet hands out unique Avro names.
type nameSet map[string]bool

// unique returns avroName(s), with a numeric suffix when that name is
// already taken, and marks it taken.
func (n nameSet) unique(s string) string {
	base := avroName(s)
	name := base
	for i := 2; n[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	n[name] = true
	return name
}
