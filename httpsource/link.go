package httpsource

import (
	"errors"
	"strings"
)

// Link is one link of an RFC 8288 Link header.
type Link struct {
	// Target is the URI reference between < and >.
	Target string
	// Params are the link's parameters, names lower-cased, quotes removed.
	Params map[string]string
}

// HasRel reports whether the link's rel (a space-separated list) has rel.
func (l Link) HasRel(rel string) bool {
	for _, r := range strings.Fields(l.Params["rel"]) {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

var errLink = errors.New("malformed Link header")

// ParseLinkHeader parses a Link header value: comma-separated
// `<target>; name=value; name="quoted"` links.
func ParseLinkHeader(h string) ([]Link, error) {
	var links []Link
	s := strings.TrimSpace(h)
	for s != "" {
		if s[0] != '<' {
			return nil, errLink
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return nil, errLink
		}
		l := Link{Target: s[1:end], Params: map[string]string{}}
		rest, err := parseLinkParams(strings.TrimSpace(s[end+1:]), l.Params)
		if err != nil {
			return nil, err
		}
		links = append(links, l)
		s = strings.TrimSpace(rest)
	}
	return links, nil
}

// parseLinkParams reads ";name=value" parameters up to the comma that ends
// the link and returns what follows that comma.
func parseLinkParams(s string, params map[string]string) (string, error) {
	for {
		switch {
		case s == "":
			return "", nil
		case s[0] == ',':
			return s[1:], nil
		case s[0] != ';':
			return "", errLink
		}
		s = strings.TrimSpace(s[1:])
		i := strings.IndexAny(s, "=;,")
		if i < 0 {
			i = len(s)
		}
		name := strings.ToLower(strings.TrimSpace(s[:i]))
		if name == "" {
			return "", errLink
		}
		s = s[i:]
		var value string
		if s != "" && s[0] == '=' {
			var err error
			if value, s, err = linkParamValue(strings.TrimSpace(s[1:])); err != nil {
				return "", err
			}
		}
		if _, dup := params[name]; !dup { // RFC 8288: the first occurrence wins
			params[name] = value
		}
		s = strings.TrimSpace(s)
	}
}

// linkParamValue reads a token or a quoted string and returns the rest.
func linkParamValue(s string) (string, string, error) {
	if s == "" || s[0] != '"' {
		i := strings.IndexAny(s, ";,")
		if i < 0 {
			i = len(s)
		}
		return strings.TrimSpace(s[:i]), s[i:], nil
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", "", errLink
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", errLink
}
