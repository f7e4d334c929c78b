package ckantest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// searchInput is datastore_search's validated input.
type searchInput struct {
	resID        string
	filters      map[string]any
	q            any // string or map[string]any
	fullText     string
	plain        bool
	language     string
	limit        int
	offset       int
	fields       []string
	sort         []string
	distinct     bool
	includeTotal bool
	format       string
	echo         map[string]any
}

// datastoreSearch is datastore_search.
func (s *Server) datastoreSearch(ctx context.Context, c *call) (any, error) {
	in, err := s.parseSearch(c)
	if err != nil {
		return nil, err
	}
	if in.resID == tableMetadata {
		return s.searchTableMetadata(ctx, c, in)
	}
	var out map[string]any
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		real, err := s.resolveAlias(ctx, tx, in.resID)
		if err != nil {
			return err
		}
		if real == "" {
			return notFound(fmt.Sprintf(`Resource "%s" was not found.`, in.resID))
		}
		if err := s.checkResourceShow(c, real); err != nil {
			return err
		}
		in.resID = real
		out, err = s.runSearch(ctx, tx, c, in)
		return err
	})
	if err != nil {
		return nil, s.dbError(err)
	}
	return out, nil
}

// parseSearch validates the request like datastore_search_schema.
func (s *Server) parseSearch(c *call) (*searchInput, error) {
	f := newForm(c.data)
	f.rename("id", "resource_id")
	in := &searchInput{plain: true, language: "english", includeTotal: true, format: "objects"}
	in.resID = f.str("resource_id", true)
	in.filters = f.jsonDict("filters")
	if q, ok := f.get("q"); ok && q != nil && q != "" {
		in.q = q
		if str, isStr := q.(string); isStr && strings.HasPrefix(strings.TrimSpace(str), "{") {
			var m map[string]any
			if json.Unmarshal([]byte(str), &m) == nil {
				in.q = m
			}
		}
	}
	in.fullText = f.str("full_text", false)
	if _, ok := c.data["plain"]; ok {
		in.plain = f.boolean("plain")
	}
	if l := f.str("language", false); l != "" {
		in.language = l
	}
	in.limit = s.opts.RowsDefault
	if n, ok := f.integer("limit", true); ok {
		in.limit = n
	}
	in.limit = min(in.limit, s.opts.RowsMax) // silently clamped
	if n, ok := f.integer("offset", false); ok {
		if n < 0 {
			f.addErr("offset", fmt.Sprintf(`invalid value "%d"`, n))
		}
		in.offset = n
	}
	in.fields, _ = f.stringList("fields")
	if v, ok := f.get("sort"); ok && v != nil {
		in.sort = sortItems(v)
	}
	in.distinct = f.boolean("distinct")
	if _, ok := c.data["include_total"]; ok {
		in.includeTotal = f.boolean("include_total")
	}
	f.integer("total_estimation_threshold", false)
	if rf := f.str("records_format", false); rf != "" {
		switch rf {
		case "objects", "lists", "csv", "tsv":
			in.format = rf
		default:
			f.addErr("records_format", "Value must be one of ['objects', 'lists', 'csv', 'tsv']")
		}
	}
	if err := f.finish(); err != nil {
		return nil, err
	}
	in.echo = map[string]any{}
	for k, v := range c.data {
		in.echo[k] = v
	}
	delete(in.echo, "id")
	in.echo["limit"], in.echo["records_format"], in.echo["include_total"] = in.limit, in.format, in.includeTotal
	return in, nil
}

// jsonDict reads a dict, or a JSON object in a string (GET).
func (f *form) jsonDict(key string) map[string]any {
	v, ok := f.get(key)
	if !ok || v == nil || v == "" {
		return nil
	}
	if str, isStr := v.(string); isStr {
		dec := json.NewDecoder(strings.NewReader(str))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			f.addErr(key, "Cannot parse JSON")
			return nil
		}
		return m
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		f.addErr(key, "Not a dict")
	}
	return m
}

// sortItems splits a sort parameter (string or list) into clauses.
func sortItems(v any) []string {
	var raw []string
	switch x := v.(type) {
	case []any:
		for _, item := range x {
			raw = append(raw, textOf(item))
		}
	default:
		raw = splitOutsideQuotes(textOf(v))
	}
	var out []string
	for _, r := range raw {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func splitOutsideQuotes(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ',' && !quoted:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}

var sortClause = regexp.MustCompile(`(?i)^(.+?)( +(asc|desc))?( nulls +(first|last) *)?$`)

// orderBy renders the sort clauses; an unknown column is
// {"sort": ["invalid value \"clause\""]}.
func (s *Server) orderBy(cols []column, items []string) ([]string, error) {
	var out []string
	for _, item := range items {
		m := sortClause.FindStringSubmatch(item)
		if m == nil {
			return nil, fieldError("sort", fmt.Sprintf(`invalid value "%s"`, item))
		}
		name := m[1]
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = name[1 : len(name)-1]
		}
		c, ok := findColumn(cols, name)
		if !ok {
			return nil, fieldError("sort", fmt.Sprintf(`invalid value "%s"`, item))
		}
		dir := "ASC"
		if strings.EqualFold(m[3], "desc") {
			dir = "DESC"
		}
		nulls := " NULLS LAST"
		if dir == "DESC" {
			nulls = " NULLS FIRST"
		}
		if m[5] != "" {
			nulls = " NULLS " + strings.ToUpper(m[5])
		}
		out = append(out, s.d.sortExpr(c)+" "+dir+nulls)
	}
	return out, nil
}

// runSearch builds and runs the query and renders the result.
func (s *Server) runSearch(ctx context.Context, tx *sql.Tx, c *call, in *searchInput) (map[string]any, error) {
	userCols, _, err := s.d.columns(ctx, tx, in.resID)
	if err != nil {
		return nil, err
	}
	all := append([]column{idColumn}, userCols...)
	selected, err := selectedColumns(all, in.fields)
	if err != nil {
		return nil, err
	}
	args := &argList{d: s.d}
	where, err := s.filterWhere(args, all, in.filters)
	if err != nil {
		return nil, err
	}
	if where, err = s.textWhere(args, all, in, where); err != nil {
		return nil, err
	}
	order, err := s.orderBy(all, in.sort)
	if err != nil {
		return nil, err
	}
	whereArgs := len(args.vals) // the count query takes no ORDER BY
	if len(order) == 0 && !in.distinct {
		// CKAN's default order: rank when q is a string, then _id.
		if q, ok := in.q.(string); ok {
			if r := s.d.rank(textQuery{q, in.language, in.plain}, args.plain); r != "" {
				order = append(order, r)
			}
		}
		order = append(order, quoteIdent("_id"))
	}
	q, countQ := s.searchSQL(in, selected, where, order)
	rows, err := s.queryRows(ctx, tx, q, args.vals, selected)
	if err != nil {
		return nil, err
	}
	out := in.echo
	out["resource_id"] = in.resID
	out["fields"] = resultFields(selected)
	out["records"] = renderRecords(in.format, selected, rows)
	out["_links"] = searchLinks(c, in.limit, in.offset)
	if in.includeTotal {
		var total int64
		if err := tx.QueryRowContext(ctx, countQ, args.vals[:whereArgs]...).Scan(&total); err != nil {
			return nil, invalidQuery(s.d.errorText(err))
		}
		out["total"], out["total_was_estimated"] = total, false
	}
	return out, nil
}

// selectedColumns resolves the "fields" parameter (nil: every column).
func selectedColumns(all []column, fields []string) ([]column, error) {
	if fields == nil {
		return all, nil
	}
	selected := make([]column, 0, len(fields))
	for _, name := range fields {
		col, ok := findColumn(all, name)
		if !ok {
			return nil, fieldError("fields", fmt.Sprintf(`invalid value "%s"`, name))
		}
		selected = append(selected, col)
	}
	return selected, nil
}

// searchSQL builds the page query and the count query. As CKAN does, an
// inner query selects, sorts and limits the raw columns and the outer one
// renders them, so sorting sees typed values.
func (s *Server) searchSQL(in *searchInput, selected []column, where string, order []string) (string, string) {
	raw := make([]string, len(selected))
	exprs := make([]string, len(selected))
	for i, col := range selected {
		raw[i] = quoteIdent(col.name)
		exprs[i] = s.d.selectExpr(col)
	}
	distinct := ""
	if in.distinct {
		distinct = "DISTINCT "
	}
	from := fmt.Sprintf("FROM %s WHERE %s", quoteIdent(in.resID), where)
	inner := fmt.Sprintf("SELECT %s%s %s", distinct, strings.Join(raw, ", "), from)
	if len(order) > 0 {
		inner += " ORDER BY " + strings.Join(order, ", ")
	}
	inner += fmt.Sprintf(" LIMIT %d OFFSET %d", in.limit, in.offset)
	q := fmt.Sprintf("SELECT %s FROM (%s) AS z", strings.Join(exprs, ", "), inner)
	countQ := fmt.Sprintf("SELECT count(*) FROM (SELECT %s%s %s) AS t", distinct, strings.Join(raw, ", "), from)
	return q, countQ
}

// textWhere adds the q and full_text conditions.
func (s *Server) textWhere(args *argList, cols []column, in *searchInput, where string) (string, error) {
	switch q := in.q.(type) {
	case string:
		where += " AND " + s.d.fullText(textQuery{q, in.language, in.plain}, args.plain)
	case map[string]any:
		for name, text := range q {
			col, ok := findColumn(cols, name)
			if !ok {
				return "", fieldError("q", fmt.Sprintf(`invalid value "%s"`, name))
			}
			where += " AND " + s.d.columnText(col, textQuery{textOf(text), in.language, in.plain}, args.plain)
		}
	}
	if in.fullText != "" {
		where += " AND " + s.d.fullText(textQuery{in.fullText, in.language, in.plain}, args.plain)
	}
	return where, nil
}

// queryRows runs the search query and decodes each cell by its type.
func (s *Server) queryRows(ctx context.Context, tx *sql.Tx, q string, vals []any, cols []column) ([][]any, error) {
	rows, err := tx.QueryContext(ctx, q, vals...)
	if err != nil {
		return nil, invalidQuery(s.d.errorText(err))
	}
	defer rows.Close()
	var out [][]any
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(cols))
		for i, col := range cols {
			row[i] = decodeOut(col.typ, raw[i])
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// resultFields is the "fields" of a search result: _id is "int", json
// columns "json", others their typname; info when set.
func resultFields(cols []column) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		f := map[string]any{"id": c.name, "type": c.typ.typname()}
		if c.name == "_id" {
			f["type"] = "int"
		}
		if c.info != nil {
			f["info"] = c.info
		}
		out[i] = f
	}
	return out
}

// orderedRecord is a record whose keys keep the column order.
type orderedRecord struct {
	cols []column
	vals []any
}

// MarshalJSON writes the keys in column order.
func (r orderedRecord) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range r.cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c.name)
		v, err := json.Marshal(r.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// renderRecords renders rows as objects, lists, or csv/tsv text without a
// header.
func renderRecords(format string, cols []column, rows [][]any) any {
	switch format {
	case "lists":
		if rows == nil {
			return []any{}
		}
		return rows
	case "csv", "tsv":
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		if format == "tsv" {
			w.Comma = '\t'
		}
		for _, row := range rows {
			rec := make([]string, len(row))
			for i, v := range row {
				rec[i] = csvText(v)
			}
			_ = w.Write(rec)
		}
		w.Flush()
		return b.String()
	}
	out := make([]any, len(rows))
	for i, row := range rows {
		out[i] = orderedRecord{cols: cols, vals: row}
	}
	return out
}

// csvText renders a value as PostgreSQL's COPY … csv does.
func csvText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "t"
		}
		return "f"
	case string:
		return x
	case json.Number:
		return x.String()
	case json.RawMessage:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return textOf(v)
}

// searchLinks is _insert_links: the request URL with offset moved.
func searchLinks(c *call, limit, offset int) map[string]any {
	q := c.r.URL.Query()
	start := url.Values{}
	for k, v := range q {
		if k != "offset" {
			start[k] = v
		}
	}
	link := func(v url.Values) string {
		if len(v) == 0 {
			return c.r.URL.Path
		}
		return c.r.URL.Path + "?" + v.Encode()
	}
	next := cloneValues(start)
	next.Set("offset", strconv.Itoa(offset+limit))
	links := map[string]any{"start": link(start), "next": link(next)}
	if offset-limit > 0 {
		prev := cloneValues(start)
		prev.Set("offset", strconv.Itoa(offset-limit))
		links["prev"] = link(prev)
	}
	return links
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
