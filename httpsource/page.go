package httpsource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Page is one page of an API's answer.
type Page struct {
	// Number is the page's position, from 1.
	Number int
	// URL is the page's URL.
	URL *url.URL
	// Header is the response header.
	Header http.Header
	// Body is the decoded JSON body; numbers are json.Number, so they
	// stay exact.
	Body any
	// Records are the page's records.
	Records []map[string]any
	// Bytes is the body's size.
	Bytes int64
}

// decodePage decodes a body and picks out its records.
func decodePage(n int, u *url.URL, h http.Header, body []byte, records string) (*Page, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrMalformedPage, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON value", ErrMalformedPage)
	}
	p := &Page{Number: n, URL: u, Header: h, Body: v, Bytes: int64(len(body))}
	list, ok := lookup(v, records)
	if !ok {
		return nil, fmt.Errorf("%w: no %q key", ErrMalformedPage, records)
	}
	items, ok := list.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not an array", ErrMalformedPage, records)
	}
	p.Records = make([]map[string]any, len(items))
	for i, it := range items {
		if p.Records[i], ok = it.(map[string]any); !ok {
			return nil, fmt.Errorf("%w: record %d is not an object", ErrMalformedPage, i+1)
		}
	}
	return p, nil
}

// lookup follows a dotted path of object keys; "$" is the value itself.
func lookup(v any, path string) (any, bool) {
	if path == "$" {
		return v, true
	}
	for key := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return v, true
}
