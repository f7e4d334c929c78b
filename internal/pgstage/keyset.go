package pgstage

import (
	"context"
	"fmt"
	"strconv"

	"github.com/datafactory/datafactory/frictionless"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A staging table whose only unique constraint is a primary key of one
// integer column gets that key after its rows are in: PostgreSQL builds a
// B-tree from sorted rows much faster than it inserts every row into one
// as it copies (psql \copy of 1M rows into a keyed table 3.8–4.0 s; into
// an unkeyed one, then ADD PRIMARY KEY, 2.7 s). Meanwhile the keys written
// are kept in a bitmap (keySet), so a repeated key still fails the Write
// that carries it, with the error PostgreSQL raises for one (SQLSTATE
// 23505, the key in its detail), and the caller can isolate and reject
// that row as before. When a key is not an int64 or the keys spread over
// too many blocks of the bitmap, the key is added there and then, and the
// rest of the load is copied into the keyed table.

// keyBlockBits is how many consecutive keys one block of the bitmap
// covers (8 KiB).
const keyBlockBits = 1 << 16

// maxKeyBlocks bounds the bitmap (64 MiB of keys' span, 8 MiB of memory):
// keys spread wider make the key be added at once.
const maxKeyBlocks = 1024

// keyBlock is the bitmap of one block of keys.
type keyBlock [keyBlockBits / 64]uint64

// keySet is the set of the int64 keys written so far.
type keySet struct {
	col     int // the key's index in the rows
	name    string
	blocks  map[int64]*keyBlock
	lastID  int64
	lastBlk *keyBlock
}

// deferredKey returns the key set of a replace whose primary key can be
// added after the rows (nil when it cannot): one primary-key column of
// integer type, no other unique constraint, one COPY stream.
func deferredKey(o *Options, parallel bool) *keySet {
	if parallel || len(o.UniqueKeys) > 0 {
		return nil
	}
	for _, c := range o.Columns {
		if c.Unique {
			return nil
		}
	}
	i := IntegerKey(o.Fields, o.PrimaryKey)
	if i < 0 {
		return nil
	}
	return &keySet{col: i, name: o.Fields[i].Name, blocks: map[int64]*keyBlock{}}
}

// IntegerKey returns the index in fields of the key when it is one field
// of integer type (its values int64), else -1.
func IntegerKey(fields []frictionless.Field, key []string) int {
	if len(key) != 1 {
		return -1
	}
	for i := range fields {
		if fields[i].Name == key[0] && fields[i].Type == frictionless.TypeInteger {
			return i
		}
	}
	return -1
}

// block returns the block of key k, made when create is set (nil when
// absent, or when making it would exceed maxKeyBlocks).
func (s *keySet) block(k int64, create bool) *keyBlock {
	id := k >> 16
	if s.lastBlk != nil && id == s.lastID {
		return s.lastBlk
	}
	b := s.blocks[id]
	if b == nil {
		if !create || len(s.blocks) >= maxKeyBlocks {
			return nil
		}
		b = new(keyBlock)
		s.blocks[id] = b
	}
	s.lastID, s.lastBlk = id, b
	return b
}

// add records the keys of rows. It returns the index of the first row
// whose key is already in the set (or repeated in rows), -1 for none, and
// false when a key is not an int64 or the set would grow too large; in
// both cases the set is left as it was.
func (s *keySet) add(rows []frictionless.Row) (dup int, ok bool) {
	for i, row := range rows {
		k, isInt := row[s.col].(int64)
		b := s.block(k, true)
		if !isInt || b == nil {
			s.remove(rows[:i])
			return -1, false
		}
		bit, word := uint64(1)<<(uint64(k)&63), (k&(keyBlockBits-1))>>6
		if b[word]&bit != 0 {
			s.remove(rows[:i])
			return i, true
		}
		b[word] |= bit
	}
	return -1, true
}

// remove forgets the keys of rows, all of which add recorded.
func (s *keySet) remove(rows []frictionless.Row) {
	for _, row := range rows {
		k := row[s.col].(int64)
		b := s.block(k, false)
		b[(k&(keyBlockBits-1))>>6] &^= uint64(1) << (uint64(k) & 63)
	}
}

// duplicateKey is the error PostgreSQL raises for the repeated key k.
func (r *Replace) duplicateKey(k int64) error {
	return &pgconn.PgError{
		Severity:       "ERROR",
		Code:           "23505",
		Message:        fmt.Sprintf("duplicate key value violates unique constraint %q", r.keyName()),
		Detail:         "Key (" + r.keys.name + ")=(" + strconv.FormatInt(k, 10) + ") already exists.",
		SchemaName:     r.schema,
		TableName:      r.o.Staging,
		ConstraintName: r.keyName(),
	}
}

// keyName is the name PostgreSQL gives the staging table's primary key.
func (r *Replace) keyName() string { return constraintName(r.o.Staging, "_pkey") }

// addKey adds the staging table's primary key, ending the deferral.
func (r *Replace) addKey(ctx context.Context, c *pgx.Conn) error {
	r.keys = nil
	stmt := "ALTER TABLE " + r.staging.Sanitize() + " ADD PRIMARY KEY (" + identList(r.o.PrimaryKey) + ")"
	if _, err := c.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("pgstage: add primary key: %w", err)
	}
	return nil
}
