package input

import (
	"fmt"
	"io"
	"os"
)

// limited fails with ErrTooLarge once more than n bytes were read.
type limited struct {
	r   io.Reader
	n   int64 // bytes left
	max int64
}

// limitReader bounds r to n bytes; n < 0 means no bound.
func limitReader(r io.Reader, n int64) io.Reader {
	if n < 0 {
		return r
	}
	return &limited{r: r, n: n, max: n}
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, fmt.Errorf("%w (%d bytes)", ErrTooLarge, l.max)
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n - int(-l.n), fmt.Errorf("%w (%d bytes)", ErrTooLarge, l.max)
	}
	return n, err
}

// spool copies r into a temporary file in dir (removed when closed) and
// returns it rewound.
func spool(r io.Reader, dir string) (*os.File, func() error, error) {
	f, err := os.CreateTemp(dir, "datafactory-input-*")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() error {
		err := f.Close()
		if rerr := os.Remove(f.Name()); err == nil {
			err = rerr
		}
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = cleanup()
		return nil, nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		_ = cleanup()
		return nil, nil, err
	}
	return f, cleanup, nil
}
