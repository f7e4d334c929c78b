package hawk

import (
	"fmt"
	"sort"
	"strings"
)

// maxHeaderLen bounds the header size we are willing to parse.
const maxHeaderLen = 4096

// parseHeader parses `Hawk k="v", k2="v2"` into a map. Unknown keys are an
// error, as are duplicate keys and values with characters the scheme forbids.
func parseHeader(h string, allowed map[string]bool) (map[string]string, error) {
	if len(h) > maxHeaderLen {
		return nil, fmt.Errorf("%w: header longer than %d bytes", ErrMalformed, maxHeaderLen)
	}
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "Hawk") {
		return nil, fmt.Errorf("%w: not a Hawk header", ErrMalformed)
	}
	out := make(map[string]string)
	rest = strings.TrimSpace(rest)
	for rest != "" {
		key, after, ok := strings.Cut(rest, "=")
		key = strings.TrimSpace(key)
		if !ok || !allowed[key] {
			return nil, fmt.Errorf("%w: unknown or malformed attribute %q", ErrMalformed, key)
		}
		if !strings.HasPrefix(after, `"`) {
			return nil, fmt.Errorf("%w: attribute %s is not quoted", ErrMalformed, key)
		}
		end := strings.IndexByte(after[1:], '"')
		if end < 0 {
			return nil, fmt.Errorf("%w: attribute %s is not terminated", ErrMalformed, key)
		}
		val := after[1 : end+1]
		if !validValue(val) {
			return nil, fmt.Errorf("%w: attribute %s has a bad character", ErrMalformed, key)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%w: duplicate attribute %s", ErrMalformed, key)
		}
		out[key] = val
		rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(after[end+2:]), ","))
	}
	return out, nil
}

// validValue reports whether v uses only the characters Hawk allows in
// attribute values: printable ASCII other than `"` and `\`.
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// formatHeader writes `Hawk k="v", …` with keys in the given order, skipping
// empty values.
func formatHeader(attrs map[string]string, order []string) string {
	parts := make([]string, 0, len(attrs))
	seen := make(map[string]bool, len(order))
	for _, k := range order {
		seen[k] = true
		if v := attrs[k]; v != "" {
			parts = append(parts, fmt.Sprintf(`%s="%s"`, k, v))
		}
	}
	var rest []string
	for k := range attrs {
		if !seen[k] && attrs[k] != "" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf(`%s="%s"`, k, attrs[k]))
	}
	return "Hawk " + strings.Join(parts, ", ")
}

var (
	requestAttrs  = map[string]bool{"id": true, "ts": true, "nonce": true, "hash": true, "ext": true, "mac": true, "app": true, "dlg": true}
	responseAttrs = map[string]bool{"mac": true, "hash": true, "ext": true}
)
