package avrobak

import (
	"bytes"
	"compress/bzip2"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
)

// Codec is the name of an Avro block compression codec, as written in the
// file's "avro.codec" metadata.
type Codec string

// The codecs this package writes and reads. Every Avro implementation
// reads null and deflate; snappy and zstandard are optional in some
// (Apache Avro's Python library needs extra modules for them).
const (
	CodecNull      Codec = "null"
	CodecDeflate   Codec = "deflate"
	CodecSnappy    Codec = "snappy"
	CodecZstandard Codec = "zstandard"
	// CodecBzip2 is read (files written by other tools) but not written.
	CodecBzip2 Codec = "bzip2"
)

// DefaultCodec is the codec used when none is chosen: deflate, which every
// Avro implementation reads.
const DefaultCodec = CodecDeflate

// DefaultDeflateLevel is the deflate level used when none is chosen:
// level 1 compresses about five times faster than zlib's default 6, for
// about 4% more bytes.
const DefaultDeflateLevel = flate.BestSpeed

// DefaultZstandardLevel is the zstandard level used when none is chosen:
// level 1 (the fastest) encodes a table about twice as fast as level 3 and
// still compresses better than deflate.
const DefaultZstandardLevel = 1

// ParseCodec returns the codec named s; it also accepts "zstd" and "none".
func ParseCodec(s string) (Codec, error) {
	switch strings.ToLower(s) {
	case "null", "none":
		return CodecNull, nil
	case "deflate":
		return CodecDeflate, nil
	case "snappy":
		return CodecSnappy, nil
	case "zstandard", "zstd":
		return CodecZstandard, nil
	}
	return "", fmt.Errorf("%w: codec %q", ErrUnsupported, s)
}

// blockDecoder decompresses data blocks, never producing more than max
// bytes.
type blockDecoder struct {
	codec Codec
	max   int64
	zstd  *zstd.Decoder
	buf   bytes.Buffer
	zbuf  []byte
}

func newBlockDecoder(c Codec, maxBytes int64) (*blockDecoder, error) {
	d := &blockDecoder{codec: c, max: maxBytes}
	switch c {
	case CodecNull, CodecDeflate, CodecSnappy, CodecBzip2:
	case CodecZstandard:
		z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxMemory(uint64(maxBytes)), zstd.WithDecoderMaxWindow(uint64(min(maxBytes, 1<<30))))
		if err != nil {
			return nil, err
		}
		d.zstd = z
	default:
		return nil, fmt.Errorf("%w: codec %q", ErrUnsupported, c)
	}
	return d, nil
}

var errTooLarge = errors.New("block decompresses to more than the allowed size")

// decode returns the uncompressed block; the result is valid until the
// next call.
func (d *blockDecoder) decode(p []byte) ([]byte, error) {
	switch d.codec {
	case CodecDeflate:
		return d.limited(flate.NewReader(bytes.NewReader(p)))
	case CodecBzip2:
		return d.limited(io.NopCloser(bzip2.NewReader(bytes.NewReader(p))))
	case CodecSnappy:
		return d.unsnappy(p)
	case CodecZstandard:
		out, err := d.zstd.DecodeAll(p, d.zbuf[:0])
		if err == nil && int64(len(out)) > d.max {
			err = errTooLarge
		}
		d.zbuf = out
		return out, err
	}
	return p, nil
}

// limited reads r to the end, failing beyond d.max bytes.
func (d *blockDecoder) limited(r io.ReadCloser) ([]byte, error) {
	d.buf.Reset()
	defer r.Close()
	n, err := d.buf.ReadFrom(io.LimitReader(r, d.max+1))
	if err != nil {
		return nil, err
	}
	if n > d.max {
		return nil, errTooLarge
	}
	return d.buf.Bytes(), nil
}

func (d *blockDecoder) unsnappy(p []byte) ([]byte, error) {
	if len(p) < 4 {
		return nil, errors.New("snappy block lacks its checksum")
	}
	body, sum := p[:len(p)-4], binary.BigEndian.Uint32(p[len(p)-4:])
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, err
	}
	if int64(n) > d.max {
		return nil, errTooLarge
	}
	if n > 32*len(body)+32 { // snappy expands at most ~22 times
		return nil, errors.New("snappy block claims an impossible length")
	}
	d.buf.Reset()
	d.buf.Grow(n)
	out, err := snappy.Decode(d.buf.Bytes()[:n], body)
	if err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(out) != sum {
		return nil, errors.New("snappy checksum mismatch")
	}
	return out, nil
}

func (d *blockDecoder) close() {
	if d.zstd != nil {
		d.zstd.Close()
	}
}
