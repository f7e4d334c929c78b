package httpsource

import (
	"fmt"
	"net/url"
	"strconv"
)

// Pagination is how an API splits its answer into pages. The styles here
// cover the common APIs; a Pagination must not carry state between pages
// (it reads what it needs from the page), so a Source can be read twice.
type Pagination interface {
	// First returns the URL of the first page, given the source's URL.
	First(u *url.URL) (*url.URL, error)
	// Next returns the URL of the page after p, or nil when p is the last.
	// An error should wrap ErrMalformedPage.
	Next(p *Page) (*url.URL, error)
}

// NextLink is data-flow's style: every body has the records and a next key
// holding the next page's URL (absolute or relative to the page) or null.
// Both keys must be present, as data-flow requires.
type NextLink struct {
	// Field is the key of the next URL (a dotted path). Default "next".
	Field string
}

// First returns u.
func (NextLink) First(u *url.URL) (*url.URL, error) { return u, nil }

// Next reads the next link.
func (n NextLink) Next(p *Page) (*url.URL, error) {
	field := or(n.Field, "next")
	v, ok := lookup(p.Body, field)
	if !ok {
		return nil, fmt.Errorf("%w: no %q key", ErrMalformedPage, field)
	}
	switch link := v.(type) {
	case nil:
		return nil, nil
	case string:
		if link == "" {
			return nil, nil
		}
		next, err := p.URL.Parse(link)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not a URL", ErrMalformedPage, field)
		}
		return next, nil
	default:
		return nil, fmt.Errorf("%w: %q is not a string or null", ErrMalformedPage, field)
	}
}

// PageNumber asks for page 1, 2, 3… and stops at an empty page or one with
// fewer than Size records.
type PageNumber struct {
	// Param is the page-number query parameter. Default "page".
	Param string
	// SizeParam is the page-size parameter; "" (default) sends none.
	SizeParam string
	// Size is the page size sent in SizeParam and expected back. Default
	// 0: not sent, the API's own size; only an empty page ends the source.
	Size int
	// Start is the first page number. Default 1.
	Start int
}

// First sets the page number (and size) on u.
func (n PageNumber) First(u *url.URL) (*url.URL, error) {
	start := n.Start
	if start == 0 {
		start = 1
	}
	set := map[string]string{or(n.Param, "page"): strconv.Itoa(start)}
	if n.SizeParam != "" && n.Size > 0 {
		set[n.SizeParam] = strconv.Itoa(n.Size)
	}
	return withQuery(u, set), nil
}

// Next increments the page number.
func (n PageNumber) Next(p *Page) (*url.URL, error) {
	if len(p.Records) == 0 || n.Size > 0 && len(p.Records) < n.Size {
		return nil, nil
	}
	param := or(n.Param, "page")
	cur, err := strconv.Atoi(p.URL.Query().Get(param))
	if err != nil {
		return nil, fmt.Errorf("%w: page URL has no number in %q", ErrMalformedPage, param)
	}
	return withQuery(p.URL, map[string]string{param: strconv.Itoa(cur + 1)}), nil
}

// OffsetLimit asks for offset=0&limit=N, then offset=N… and stops at a page
// with fewer than Limit records.
type OffsetLimit struct {
	// OffsetParam is the offset parameter. Default "offset".
	OffsetParam string
	// LimitParam is the limit parameter. Default "limit".
	LimitParam string
	// Limit is the page size. Default 100.
	Limit int
}

func (o OffsetLimit) limit() int {
	if o.Limit <= 0 {
		return 100
	}
	return o.Limit
}

// First sets offset 0 and the limit on u.
func (o OffsetLimit) First(u *url.URL) (*url.URL, error) {
	return withQuery(u, map[string]string{or(o.OffsetParam, "offset"): "0", or(o.LimitParam, "limit"): strconv.Itoa(o.limit())}), nil
}

// Next advances the offset by the records received.
func (o OffsetLimit) Next(p *Page) (*url.URL, error) {
	if len(p.Records) < o.limit() {
		return nil, nil
	}
	param := or(o.OffsetParam, "offset")
	cur, err := strconv.Atoi(p.URL.Query().Get(param))
	if err != nil {
		return nil, fmt.Errorf("%w: page URL has no number in %q", ErrMalformedPage, param)
	}
	return withQuery(p.URL, map[string]string{param: strconv.Itoa(cur + len(p.Records))}), nil
}

// Cursor sends the cursor a page returned with the next request, and stops
// when a page has no cursor (missing, null or "") or no records.
type Cursor struct {
	// Param is the query parameter. Default "cursor".
	Param string
	// Field is the key of the next cursor in the body (a dotted path, e.g.
	// "meta.next_cursor"). Default "next_cursor".
	Field string
}

// First returns u: the first request carries no cursor.
func (Cursor) First(u *url.URL) (*url.URL, error) { return u, nil }

// Next sets the page's cursor.
func (c Cursor) Next(p *Page) (*url.URL, error) {
	field := or(c.Field, "next_cursor")
	v, _ := lookup(p.Body, field)
	var cur string
	switch x := v.(type) {
	case nil:
	case string:
		cur = x
	case interface{ String() string }: // json.Number
		cur = x.String()
	default:
		return nil, fmt.Errorf("%w: %q is not a string or number", ErrMalformedPage, field)
	}
	if cur == "" || len(p.Records) == 0 {
		return nil, nil
	}
	return withQuery(p.URL, map[string]string{or(c.Param, "cursor"): cur}), nil
}

// LinkHeader follows the RFC 8288 Link header's rel="next" (GitHub's and
// many REST APIs' style).
type LinkHeader struct{}

// First returns u.
func (LinkHeader) First(u *url.URL) (*url.URL, error) { return u, nil }

// Next resolves the rel="next" target against the page URL.
func (LinkHeader) Next(p *Page) (*url.URL, error) {
	for _, h := range p.Header.Values("Link") {
		links, err := ParseLinkHeader(h)
		if err != nil {
			return nil, fmt.Errorf("%w: Link header: %v", ErrMalformedPage, err)
		}
		for _, l := range links {
			if l.HasRel("next") {
				next, err := p.URL.Parse(l.Target)
				if err != nil {
					return nil, fmt.Errorf("%w: Link next is not a URL", ErrMalformedPage)
				}
				return next, nil
			}
		}
	}
	return nil, nil
}

// withQuery returns a copy of u with the parameters set.
func withQuery(u *url.URL, set map[string]string) *url.URL {
	c := *u
	q := c.Query()
	for k, v := range set {
		q.Set(k, v)
	}
	c.RawQuery = q.Encode()
	return &c
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
