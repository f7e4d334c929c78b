package avrobak

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Avro binary encoding primitives. Writers append to a byte slice; the
// decoder reads from one block held in memory and checks every length
// against what is left, so corrupt input yields errors, never panics or
// huge allocations.

func appendLong(b []byte, v int64) []byte {
	return binary.AppendUvarint(b, uint64(v<<1)^uint64(v>>63))
}

// appendText appends a string or bytes value: its length, then its bytes.
func appendText[T string | []byte](b []byte, s T) []byte {
	b = appendLong(b, int64(len(s)))
	return append(b, s...)
}

func appendDouble(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// errShort is returned when a value runs past the end of its block.
var errShort = errors.New("value runs past the end of the block")

// decoder reads Avro binary values from a byte slice.
type decoder struct {
	b   []byte
	pos int
}

func (d *decoder) remaining() int { return len(d.b) - d.pos }

func (d *decoder) readLong() (int64, error) {
	u, n := binary.Uvarint(d.b[d.pos:])
	switch {
	case n == 0:
		return 0, errShort
	case n < 0:
		return 0, errors.New("varint overflows 64 bits")
	}
	d.pos += n
	return int64(u>>1) ^ -int64(u&1), nil
}

func (d *decoder) readInt() (int32, error) {
	v, err := d.readLong()
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, fmt.Errorf("int %d out of 32-bit range", v)
	}
	return int32(v), nil
}

// readBytes returns a slice of the block (not a copy).
func (d *decoder) readBytes() ([]byte, error) {
	n, err := d.readLong()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("negative length %d", n)
	}
	return d.readFixed(n)
}

func (d *decoder) readFixed(n int64) ([]byte, error) {
	if n > int64(d.remaining()) {
		return nil, errShort
	}
	p := d.b[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return p, nil
}

func (d *decoder) readString() (string, error) {
	p, err := d.readBytes()
	return string(p), err
}

func (d *decoder) readDouble() (float64, error) {
	p, err := d.readFixed(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p)), nil
}

func (d *decoder) readFloat() (float32, error) {
	p, err := d.readFixed(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(p)), nil
}

func (d *decoder) readBool() (bool, error) {
	p, err := d.readFixed(1)
	if err != nil {
		return false, err
	}
	switch p[0] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, fmt.Errorf("invalid boolean byte %#x", p[0])
}
