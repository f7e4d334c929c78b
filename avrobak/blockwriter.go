package avrobak

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"slices"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zstd"
)

// blockWriter writes an Avro object container file: the header, then
// blocks of records, each compressed by the codec and followed by the
// sync marker. Records are appended to buf by the caller, who flushes
// once full reports the block size reached. It is this package's own so that the codecs run at their fastest
// settings (klauspost's deflate is about twice as fast as the standard
// library's at level 1) and so a backup spends no copy on the way.
//
// With async set (a backup, whose output nobody reads before it ends), a
// full block is compressed and written on a goroutine of its own while
// the caller fills the next one (two buffers in turn), so encoding and
// compression use two cores; at most one block is in flight, so blocks
// reach out in order and memory stays at two blocks. Without it (a
// [Writer] made by [NewWriter], whose caller may look at its output
// between writes) flush writes the block before it returns.
type blockWriter struct {
	out   io.Writer
	comp  compressor
	sync  [16]byte
	buf   []byte // the records of the current block, uncompressed
	count int64  // records in buf
	size  int    // block size: buf is flushed once it holds this many bytes
	frame []byte
	// spare is the other buffer, free while no block is in flight.
	spare []byte
	// inflight, when not nil, delivers the result of the block being
	// compressed and written.
	inflight chan error
	async    bool
	// rowsAt is the offset in the file of the value of MetaRows in the
	// header (0 when there is none).
	rowsAt int64
}

// full reports whether buf has reached the block size.
func (w *blockWriter) full() bool { return len(w.buf) >= w.size }

// newBlockWriter writes the header (magic, metadata, sync marker) to out.
// sync nil means a random marker.
func newBlockWriter(out io.Writer, meta map[string][]byte, codec Codec, level, blockSize int, sync *[16]byte) (*blockWriter, error) {
	comp, err := newCompressor(codec, level)
	if err != nil {
		return nil, err
	}
	w := &blockWriter{out: out, comp: comp, size: blockSize, buf: make([]byte, 0, blockSize+blockSize/8)}
	if sync != nil {
		w.sync = *sync
	} else {
		_, _ = rand.Read(w.sync[:])
	}
	h := append([]byte(nil), magic...)
	h = appendLong(h, int64(len(meta)))
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		h = appendText(h, k)
		h = appendLong(h, int64(len(meta[k])))
		if k == MetaRows {
			w.rowsAt = int64(len(h))
		}
		h = append(h, meta[k]...)
	}
	h = appendLong(h, 0)
	h = append(h, w.sync[:]...)
	if _, err := out.Write(h); err != nil {
		comp.close()
		return nil, err
	}
	return w, nil
}

// flush hands the records in buf to a goroutine that compresses and
// writes them as one block, after the previous block is written. It
// returns the previous block's error, if any; the block's own error comes
// with the next flush or with wait.
func (w *blockWriter) flush() error {
	if w.count == 0 {
		return nil
	}
	if err := w.wait(); err != nil {
		return err
	}
	data, count := w.buf, w.count
	if !w.async {
		w.buf, w.count = w.buf[:0], 0
		return w.writeBlock(data, count)
	}
	w.buf, w.spare, w.count = w.spare[:0], nil, 0
	if cap(w.buf) == 0 {
		w.buf = make([]byte, 0, cap(data))
	}
	done := make(chan error, 1)
	w.inflight = done
	go func() { done <- w.writeBlock(data, count) }()
	w.spare = data[:0:cap(data)] // given back by wait, not touched before
	return nil
}

// wait waits for the block in flight and returns its error.
func (w *blockWriter) wait() error {
	if w.inflight == nil {
		return nil
	}
	err := <-w.inflight
	w.inflight = nil
	return err
}

// writeBlock compresses data and writes it as a block of count records.
func (w *blockWriter) writeBlock(data []byte, count int64) error {
	packed, err := w.comp.compress(data)
	if err != nil {
		return fmt.Errorf("%s: %w", w.comp.name(), err)
	}
	f := appendLong(w.frame[:0], count)
	f = appendLong(f, int64(len(packed)))
	w.frame = f
	if _, err := w.out.Write(f); err != nil {
		return err
	}
	if _, err := w.out.Write(packed); err != nil {
		return err
	}
	_, err = w.out.Write(w.sync[:])
	return err
}

// close flushes the last block, waits for it and frees the codec.
func (w *blockWriter) close() error {
	err := w.flush()
	if werr := w.wait(); err == nil {
		err = werr
	}
	w.comp.close()
	return err
}

// compressor compresses one block at a time; the result is valid until
// the next call.
type compressor interface {
	compress(p []byte) ([]byte, error)
	name() Codec
	close()
}

func newCompressor(c Codec, level int) (compressor, error) {
	switch c {
	case CodecNull:
		return nullCompressor{}, nil
	case CodecDeflate:
		if level == 0 {
			level = DefaultDeflateLevel
		}
		if level < flate.BestSpeed || level > flate.BestCompression {
			return nil, fmt.Errorf("deflate compression level %d outside 1..9", level)
		}
		d := &deflateCompressor{}
		fw, err := flate.NewWriter(&d.buf, level)
		if err != nil {
			return nil, err
		}
		d.w = fw
		return d, nil
	case CodecSnappy:
		return &snappyCompressor{}, nil
	case CodecZstandard:
		// One block at a time: one encoder, low memory.
		zopts := []zstd.EOption{zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true)}
		if level == 0 {
			level = DefaultZstandardLevel
		}
		if level < 1 || level > 22 {
			return nil, fmt.Errorf("zstandard compression level %d outside 1..22", level)
		}
		zopts = append(zopts, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)))
		z, err := zstd.NewWriter(nil, zopts...)
		if err != nil {
			return nil, err
		}
		return &zstdCompressor{z: z}, nil
	}
	return nil, fmt.Errorf("%w: codec %q", ErrUnsupported, c)
}

type nullCompressor struct{}

func (nullCompressor) compress(p []byte) ([]byte, error) { return p, nil }
func (nullCompressor) name() Codec                       { return CodecNull }
func (nullCompressor) close()                            {}

// deflateCompressor writes raw deflate (RFC 1951), as Avro specifies.
type deflateCompressor struct {
	w   *flate.Writer
	buf bytes.Buffer
}

func (d *deflateCompressor) compress(p []byte) ([]byte, error) {
	d.buf.Reset()
	d.w.Reset(&d.buf)
	if _, err := d.w.Write(p); err != nil {
		return nil, err
	}
	if err := d.w.Close(); err != nil {
		return nil, err
	}
	return d.buf.Bytes(), nil
}
func (d *deflateCompressor) name() Codec { return CodecDeflate }
func (d *deflateCompressor) close()      {}

// snappyCompressor writes a snappy block followed by the big-endian CRC-32
// of the uncompressed data, as Avro specifies.
type snappyCompressor struct{ buf []byte }

func (s *snappyCompressor) compress(p []byte) ([]byte, error) {
	if n := snappy.MaxEncodedLen(len(p)) + 4; cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	out := snappy.Encode(s.buf[:cap(s.buf)], p)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(p)), nil
}
func (s *snappyCompressor) name() Codec { return CodecSnappy }
func (s *snappyCompressor) close()      {}

type zstdCompressor struct {
	z   *zstd.Encoder
	buf []byte
}

func (z *zstdCompressor) compress(p []byte) ([]byte, error) {
	z.buf = z.z.EncodeAll(p, z.buf[:0])
	return z.buf, nil
}
func (z *zstdCompressor) name() Codec { return CodecZstandard }
func (z *zstdCompressor) close()      { z.z.Close() }
