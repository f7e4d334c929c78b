package avrobak

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// VerifyReport describes a file that [Verify] read to the end.
type VerifyReport struct {
	Table   string // table name recorded in the file ("" if none)
	Rows    int64  // rows decoded, equal to the recorded count when there is one
	Bytes   int64  // size of the file
	Codec   Codec  // block codec
	Foreign bool   // the file has no Table Schema (written by another tool)
	SHA256  string // hex SHA-256 of the file
}

// Verify reads a whole container file without restoring it: it decodes
// every row, checks every block and sync marker and the recorded row
// count, and returns the file's SHA-256 (compare it with the backup's
// [Report]). Errors are those of [Reader].
func Verify(r io.Reader, opts *ReaderOptions) (*VerifyReport, error) {
	hr := &hashReader{r: r, h: sha256.New()}
	rd, err := NewReader(hr, opts)
	if err != nil {
		return nil, fmt.Errorf("avrobak: verify: %w", err)
	}
	defer rd.Close()
	for {
		if _, err := rd.Read(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("avrobak: verify: %w", err)
		}
	}
	return &VerifyReport{
		Table: rd.Table(), Rows: rd.Rows(), Bytes: rd.Bytes(), Codec: rd.Codec(),
		Foreign: !rd.HasTableSchema(), SHA256: hex.EncodeToString(hr.h.Sum(nil)),
	}, nil
}
