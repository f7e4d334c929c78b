package frictionless

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
)

// decodeInput returns a buffered reader of UTF-8 text from r, decoding
// from the named encoding ("" or any UTF-8 alias: no transformation, so
// invalid bytes reach the reader and are reported per row). A UTF-8 byte
// order mark is stripped.
func decodeInput(r io.Reader, encoding string) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "utf-8", "utf8", "utf-8-sig", "unicode-1-1-utf-8":
		return newBuffered(r), nil
	}
	enc, err := htmlindex.Get(encoding)
	if err != nil {
		return nil, descErr("encoding", "unknown encoding %q", encoding)
	}
	name, _ := htmlindex.Name(enc)
	if name == "utf-8" {
		return newBuffered(r), nil
	}
	dec := enc.NewDecoder()
	if dec == nil {
		return nil, fmt.Errorf("frictionless: encoding %q has no decoder", encoding)
	}
	return newBuffered(dec.Reader(r)), nil
}
