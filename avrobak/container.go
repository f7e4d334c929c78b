package avrobak

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The object container format, read by hand so that every length is
// checked and every failure says where it happened: a header (magic,
// metadata map, 16-byte sync marker), then blocks of (row count, byte
// size, data, sync marker).

var magic = []byte{'O', 'b', 'j', 1}

const (
	metaSchema = "avro.schema"
	metaCodec  = "avro.codec"
	// maxHeaderBytes bounds the metadata map.
	maxHeaderBytes = 64 << 20
)

// container reads the framing of an object container file.
type container struct {
	r     *bufio.Reader
	off   int64 // bytes consumed
	meta  map[string][]byte
	sync  [16]byte
	block int64 // blocks read so far
	start int64 // offset of the current block
	max   int64 // maximum block size, compressed or not
	raw   bytes.Buffer
	codec Codec
	dec   *blockDecoder
}

func (c *container) fail(sentinel error, format string, args ...any) error {
	reason := fmt.Sprintf(format, args...)
	return &FormatError{Offset: c.off, Block: c.block, Reason: reason, Err: sentinel}
}

// failRead classifies a read error: running out of input is truncation.
func (c *container) failRead(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return c.fail(ErrTruncated, "file ends inside %s", what)
	}
	if errors.Is(err, errVarint) {
		return c.fail(ErrCorrupt, "malformed %s", what)
	}
	return &FormatError{Offset: c.off, Block: c.block, Reason: "reading " + what,
		Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
}

var errVarint = errors.New("varint overflows 64 bits")

func (c *container) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.off++
	}
	return b, err
}

func (c *container) readLong() (int64, error) {
	u, err := binary.ReadUvarint(c)
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			err = errVarint
		}
		return 0, err
	}
	return int64(u>>1) ^ -int64(u&1), nil
}

// readN reads n bytes into c.raw, growing it as data arrives (so a lying
// length never causes a large allocation up front).
func (c *container) readN(n int64) ([]byte, error) {
	c.raw.Reset()
	got, err := c.raw.ReadFrom(io.LimitReader(c.r, n))
	c.off += got
	if err != nil {
		return nil, err
	}
	if got < n {
		return nil, io.ErrUnexpectedEOF
	}
	return c.raw.Bytes(), nil
}

func (c *container) readSync(what string) ([16]byte, error) {
	var s [16]byte
	n, err := io.ReadFull(c.r, s[:])
	c.off += int64(n)
	if err != nil {
		return s, c.failRead(err, what)
	}
	return s, nil
}

// openContainer reads the header of an object container file.
func openContainer(r io.Reader, maxBlock int64) (*container, error) {
	c := &container{r: bufio.NewReaderSize(r, 64<<10), max: maxBlock, meta: map[string][]byte{}}
	m := make([]byte, 4)
	n, err := io.ReadFull(c.r, m)
	c.off += int64(n)
	if err != nil {
		return nil, c.failRead(err, "the magic bytes")
	}
	if !bytes.Equal(m, magic) {
		return nil, c.fail(ErrCorrupt, "not an Avro object container file (bad magic %q)", m)
	}
	if err := c.readMeta(); err != nil {
		return nil, err
	}
	if c.sync, err = c.readSync("the header sync marker"); err != nil {
		return nil, err
	}
	codec := Codec(c.meta[metaCodec])
	if codec == "" {
		codec = CodecNull
	}
	if c.dec, err = newBlockDecoder(codec, maxBlock); err != nil {
		return nil, c.fail(err, "codec %q", codec)
	}
	c.codec = codec
	return c, nil
}

// readMeta reads the header's metadata map (blocks of key/value pairs).
func (c *container) readMeta() error {
	budget := int64(maxHeaderBytes)
	for {
		count, err := c.readLong()
		if err != nil {
			return c.failRead(err, "the metadata map")
		}
		if count == 0 {
			return nil
		}
		if count < 0 {
			count = -count
			if _, err := c.readLong(); err != nil { // block size in bytes, unused
				return c.failRead(err, "the metadata map")
			}
		}
		if count < 0 || count > budget {
			return c.fail(ErrCorrupt, "metadata map claims %d entries", count)
		}
		for range count {
			key, err := c.readMetaBytes(&budget)
			if err != nil {
				return err
			}
			val, err := c.readMetaBytes(&budget)
			if err != nil {
				return err
			}
			c.meta[string(key)] = val
		}
	}
}

func (c *container) readMetaBytes(budget *int64) ([]byte, error) {
	n, err := c.readLong()
	if err != nil {
		return nil, c.failRead(err, "the metadata map")
	}
	if n < 0 || n > *budget {
		return nil, c.fail(ErrCorrupt, "metadata entry length %d out of range", n)
	}
	*budget -= n + 1
	p, err := c.readN(n)
	if err != nil {
		return nil, c.failRead(err, "the metadata map")
	}
	return bytes.Clone(p), nil
}

// next reads the next block and returns its row count and uncompressed
// data (valid until the next call); io.EOF after the last block.
func (c *container) next() (int64, []byte, error) {
	if _, err := c.r.Peek(1); errors.Is(err, io.EOF) {
		return 0, nil, io.EOF
	}
	c.block++
	c.start = c.off
	count, err := c.readLong()
	if err != nil {
		return 0, nil, c.failRead(err, "a block's row count")
	}
	size, err := c.readLong()
	if err != nil {
		return 0, nil, c.failRead(err, "a block's size")
	}
	if count < 0 || size < 0 || size > c.max {
		return 0, nil, c.fail(ErrCorrupt, "block claims %d rows in %d bytes", count, size)
	}
	data, err := c.readN(size)
	if err != nil {
		return 0, nil, c.failRead(err, "a block's data")
	}
	sync, err := c.readSync("a block's sync marker")
	if err != nil {
		return 0, nil, err
	}
	if sync != c.sync {
		return 0, nil, c.fail(ErrCorrupt, "sync marker does not match the header's")
	}
	out, err := c.dec.decode(data)
	if err != nil {
		return 0, nil, &FormatError{Offset: c.start, Block: c.block, Reason: string(c.codec) + " data",
			Err: fmt.Errorf("%w: %w", ErrCorrupt, err)}
	}
	return count, out, nil
}
