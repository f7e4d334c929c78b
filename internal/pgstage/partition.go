package pgstage

import (
	"hash/maphash"
	"slices"
	"time"

	"github.com/datafactory/datafactory/frictionless"
)

// A keyed staging table takes parallel streams too when it has exactly one
// unique key (its primary key, or one unique constraint) and the key's
// columns have types whose Go values hash exactly as PostgreSQL compares
// them: the rows are then dealt to the streams by a hash of their key
// instead of in contiguous runs, so a key's rows, a repeated key included,
// always go to the same stream and no stream waits for another's
// transaction (the index would make it). A repeated key fails its own
// stream's COPY as on one stream. Every write of such a table is dealt so,
// small ones too (a row of a key on the replace's connection and another
// on a stream would wait on each other).

// hashableKeyTypes are the SQL column types a key may have to be dealt by
// hash, with the frictionless field types whose values they hold.
var hashableKeyTypes = map[string]frictionless.FieldType{
	"bigint": frictionless.TypeInteger, "integer": frictionless.TypeInteger, "smallint": frictionless.TypeInteger,
	"text": frictionless.TypeString, "boolean": frictionless.TypeBoolean,
	"date": frictionless.TypeDate, "timestamptz": frictionless.TypeDateTime,
	"timestamp with time zone": frictionless.TypeDateTime,
}

// uniqueKeys lists the table's distinct unique keys (primary key first).
func uniqueKeys(o *Options) [][]string {
	var keys [][]string
	add := func(k []string) {
		s := slices.Sorted(slices.Values(k))
		for _, have := range keys {
			if slices.Equal(slices.Sorted(slices.Values(have)), s) {
				return
			}
		}
		keys = append(keys, k)
	}
	if len(o.PrimaryKey) > 0 {
		add(o.PrimaryKey)
	}
	for _, k := range o.UniqueKeys {
		add(k)
	}
	for _, c := range o.Columns {
		if c.Unique {
			add([]string{c.Name})
		}
	}
	return keys
}

// partitionKey returns the row indexes of the fields rows are dealt by:
// nil and true for a table without unique keys (any split will do), false
// when the table cannot take parallel streams.
func partitionKey(o *Options) ([]int, bool) {
	keys := uniqueKeys(o)
	switch len(keys) {
	case 0:
		return nil, true
	case 1:
	default:
		return nil, false
	}
	var idx []int
	for _, name := range keys[0] {
		i := slices.IndexFunc(o.Fields, func(f frictionless.Field) bool { return f.Name == name })
		c := slices.IndexFunc(o.Columns, func(c Column) bool { return c.Name == name })
		if i < 0 || c < 0 {
			return nil, false
		}
		t, ok := hashableKeyTypes[o.Columns[c].Type]
		if !ok || o.Fields[i].Type != t {
			return nil, false
		}
		idx = append(idx, i)
	}
	return idx, true
}

// keyHasher deals rows to n streams by their key.
type keyHasher struct {
	seed maphash.Seed
	key  []int
	kind []frictionless.FieldType
}

func newKeyHasher(key []int, fields []frictionless.Field) *keyHasher {
	h := &keyHasher{seed: maphash.MakeSeed(), key: key}
	for _, i := range key {
		h.kind = append(h.kind, fields[i].Type)
	}
	return h
}

// deal splits rows into n groups by key hash, keeping their order.
func (k *keyHasher) deal(rows []frictionless.Row, n int) [][]frictionless.Row {
	out := make([][]frictionless.Row, n)
	for i := range out {
		out[i] = make([]frictionless.Row, 0, len(rows)/n+len(rows)/(4*n)+1)
	}
	var h maphash.Hash
	h.SetSeed(k.seed)
	for _, row := range rows {
		h.Reset()
		for j, i := range k.key {
			k.write(&h, k.kind[j], row[i])
		}
		s := h.Sum64() % uint64(n)
		out[s] = append(out[s], row)
	}
	return out
}

// write hashes one key value as PostgreSQL compares it: a datetime to the
// microsecond it is stored with, a date by its calendar day. A value of
// another Go type (never met for the key types allowed) hashes as NULL.
func (k *keyHasher) write(h *maphash.Hash, kind frictionless.FieldType, v any) {
	switch x := v.(type) {
	case int64:
		maphash.WriteComparable(h, x)
	case string:
		h.WriteString(x)
	case bool:
		maphash.WriteComparable(h, x)
	case time.Time:
		if kind == frictionless.TypeDate {
			y, m, d := x.Date()
			maphash.WriteComparable(h, [3]int{y, int(m), d})
			return
		}
		maphash.WriteComparable(h, x.Unix()*1e6+int64(x.Nanosecond()/1e3))
	default:
		h.WriteByte(0)
	}
	h.WriteByte(0xff) // separates the key's values
}
