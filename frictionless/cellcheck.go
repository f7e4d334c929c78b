package frictionless

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// plainASCII reports whether s is ASCII without a NUL byte: the common
// cell, which needs neither check of [cellProblem]. It looks at 8 bytes at
// a time (a high bit set is not ASCII; a zero byte is a NUL), about twice
// as fast on short cells as utf8.ValidString and strings.IndexByte
// together.
func plainASCII(s string) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if (x|(x-lo)&^x)&hi != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == 0 || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cellProblem is what makes a cell unstorable as text, "" for none:
// invalid UTF-8 or a NUL byte (column j counts from 0).
func cellProblem(cell string, j int) string {
	if plainASCII(cell) {
		return ""
	}
	switch {
	case !utf8.ValidString(cell):
		return "invalid UTF-8 in column " + strconv.Itoa(j+1)
	case strings.IndexByte(cell, 0) >= 0:
		return "NUL byte in column " + strconv.Itoa(j+1)
	}
	return ""
}
