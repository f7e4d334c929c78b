package status

import (
	"crypto/rand"
	"fmt"
	"unicode/utf8"
)

// NewID returns a random (version 4) UUID in its canonical text form.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// maxTraceIDLen is the length status-api cuts generated trace IDs to.
const maxTraceIDLen = 80

// newTraceID returns "<dataset>-<uuid4>" cut to 80 characters, or just the
// UUID when dataset is empty.
func newTraceID(dataset string) string {
	id := NewID()
	if dataset != "" {
		id = dataset + "-" + id
	}
	if len(id) > maxTraceIDLen {
		n := maxTraceIDLen
		for n > 0 && !utf8.RuneStart(id[n]) {
			n--
		}
		id = id[:n]
	}
	return id
}

// DatasetID returns the dataset an event is about, by status-api's rule:
// domain "dataset" → domain_id up to its first "/"; otherwise "".
// (status-api's legacy application/application_id arrive here already
// renamed to domain/domain_id.)
func DatasetID(ev Event) string {
	if ev.Domain != "dataset" {
		return ""
	}
	id := ev.DomainID
	for i := 0; i < len(id); i++ {
		if id[i] == '/' {
			return id[:i]
		}
	}
	return id
}
