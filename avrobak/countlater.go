package avrobak

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// rewritable returns w as a regular file that can be written at an offset
// and read back (not append-only, not write-only), with the offset the
// backup starts at; ok is false for anything else.
func rewritable(w io.Writer) (f *os.File, base int64, ok bool) {
	f, ok = w.(*os.File)
	if !ok {
		return nil, 0, false
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, 0, false
	}
	if base, err = f.Seek(0, io.SeekCurrent); err != nil {
		return nil, 0, false
	}
	if _, err := f.WriteAt(nil, base); err != nil { // refused in append mode
		return nil, 0, false
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], base); err != nil && !errors.Is(err, io.EOF) { // write-only
		return nil, 0, false
	}
	return f, base, true
}

// writeCount replaces the placeholder count of a closed Writer made with
// countLater by the number of rows written, in f where the file starts at
// base, and returns the SHA-256 of the finished file, read back from f.
func (w *Writer) writeCount(f *os.File, base int64) (string, error) {
	if !w.closed || w.err != nil || w.blk.rowsAt == 0 {
		return "", errors.New("write count: the writer is not closed cleanly or has no count to write")
	}
	count := fmt.Appendf(nil, "%0*d", len(countPlaceholder), w.rows)
	if _, err := f.WriteAt(count, base+w.blk.rowsAt); err != nil {
		return "", fmt.Errorf("write count: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(f, base, w.out.n))
	if err == nil && n != w.out.n {
		err = fmt.Errorf("read back %d bytes of %d", n, w.out.n)
	}
	if err != nil {
		return "", fmt.Errorf("write count: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
