package ckantest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// searchFixture makes a table with mixed types and five rows.
func searchFixture(t *testing.T, be backend) *bundle {
	b := setup(t, be)
	b.create(t, map[string]any{
		"fields": []any{field("name", "text"), field("age", "int"), field("score", "numeric"), field("seen", "timestamp"),
			field("ok", "bool"), field("tags", "_text"), field("meta", "json")},
		"records": []any{
			map[string]any{"name": "Alice Smith", "age": 30, "score": num("12345678901234567890.123456789"), "seen": "2020-01-01T00:00:00.987654", "ok": true, "tags": []any{"a", "b"}, "meta": map[string]any{"x": num("1")}},
			map[string]any{"name": "Bob Jones", "age": 25, "score": "1.50", "seen": "2021-06-30 12:34:56+05:00", "ok": false},
			map[string]any{"name": "Carol Smith", "age": 35, "score": nil, "seen": ""},
			map[string]any{"name": "Dave Brown", "age": 25},
			map[string]any{"name": "Eve Green", "age": nil},
		},
	})
	return b
}

func TestSearch(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := searchFixture(t, be)
			id := b.datastoreID
			names := func(r map[string]any) []any {
				var out []any
				for _, rec := range r["records"].([]any) {
					out = append(out, rec.(map[string]any)["name"])
				}
				return out
			}
			t.Run("values and field types", func(t *testing.T) {
				r := b.search(t, map[string]any{"resource_id": id, "limit": 2})
				require.Equal(t, []any{
					map[string]any{"id": "_id", "type": "int"}, map[string]any{"id": "name", "type": "text"},
					map[string]any{"id": "age", "type": "int4"}, map[string]any{"id": "score", "type": "numeric"},
					map[string]any{"id": "seen", "type": "timestamp"}, map[string]any{"id": "ok", "type": "bool"},
					map[string]any{"id": "tags", "type": "_text"}, map[string]any{"id": "meta", "type": "json"},
				}, r["fields"])
				recs := r["records"].([]any)
				alice := recs[0].(map[string]any)
				require.Equal(t, num("12345678901234567890.123456789"), alice["score"], "numeric keeps every digit")
				require.Equal(t, "2020-01-01T00:00:00", alice["seen"], "no fraction, no zone")
				require.Equal(t, true, alice["ok"])
				require.Equal(t, []any{"a", "b"}, alice["tags"])
				require.Equal(t, map[string]any{"x": num("1")}, alice["meta"])
				bob := recs[1].(map[string]any)
				require.Equal(t, "2021-06-30T12:34:56", bob["seen"], "the offset is ignored for timestamp")
				require.Equal(t, num("1.50"), bob["score"])
				require.Equal(t, num("5"), r["total"])
				require.Equal(t, false, r["total_was_estimated"])
				require.Equal(t, num("2"), r["limit"])
				require.Equal(t, map[string]any{"start": "/api/3/action/datastore_search", "next": "/api/3/action/datastore_search?offset=2"}, r["_links"])
			})
			t.Run("limit above rows_max is clamped and echoed", func(t *testing.T) {
				r := b.search(t, map[string]any{"resource_id": id, "limit": 50000})
				require.Equal(t, num("32000"), r["limit"])
				require.Len(t, r["records"], 5)
				r = b.search(t, map[string]any{"resource_id": id, "limit": 0})
				require.Empty(t, r["records"])
				require.Equal(t, num("5"), r["total"])
			})
			t.Run("filters, sort, offset, fields, distinct", func(t *testing.T) {
				r := b.search(t, map[string]any{"resource_id": id, "filters": map[string]any{"age": []any{25, "35"}}, "sort": "name desc"})
				require.Equal(t, []any{"Dave Brown", "Carol Smith", "Bob Jones"}, names(r))
				r = b.search(t, map[string]any{"resource_id": id, "sort": `"age" desc nulls last, name`, "offset": 1, "limit": 3})
				require.Equal(t, []any{"Alice Smith", "Bob Jones", "Dave Brown"}, names(r))
				r = b.search(t, map[string]any{"resource_id": id, "fields": "age", "distinct": true, "sort": "age"})
				require.Equal(t, []any{map[string]any{"age": num("25")}, map[string]any{"age": num("30")}, map[string]any{"age": num("35")}, map[string]any{"age": nil}}, r["records"])
				require.Equal(t, num("4"), r["total"])
				r = b.search(t, map[string]any{"resource_id": id, "filters": map[string]any{"name": "Bob Jones"}, "fields": []any{"name", "_id"}, "include_total": false})
				require.Equal(t, []any{map[string]any{"name": "Bob Jones", "_id": num("2")}}, r["records"])
				require.NotContains(t, r, "total")
			})
			t.Run("full text q", func(t *testing.T) {
				r := b.search(t, map[string]any{"resource_id": id, "q": "smith", "sort": "name"})
				require.Equal(t, []any{"Alice Smith", "Carol Smith"}, names(r))
				r = b.search(t, map[string]any{"resource_id": id, "q": map[string]any{"name": "jones"}})
				require.Equal(t, []any{"Bob Jones"}, names(r))
				r = b.search(t, map[string]any{"resource_id": id, "q": "smith alice"})
				require.Equal(t, []any{"Alice Smith"}, names(r))
				r = b.search(t, map[string]any{"resource_id": id, "q": "alice & smith", "plain": false})
				require.Equal(t, []any{"Alice Smith"}, names(r))
			})
			t.Run("records formats", func(t *testing.T) {
				r := b.search(t, map[string]any{"resource_id": id, "fields": "name,age", "records_format": "lists", "limit": 2})
				require.Equal(t, []any{[]any{"Alice Smith", num("30")}, []any{"Bob Jones", num("25")}}, r["records"])
				r = b.search(t, map[string]any{"resource_id": id, "fields": "name,age,ok", "records_format": "csv", "limit": 2})
				require.Equal(t, "Alice Smith,30,t\nBob Jones,25,f\n", r["records"])
				r = b.search(t, map[string]any{"resource_id": id, "fields": "name,age", "records_format": "tsv", "limit": 1})
				require.Equal(t, "Alice Smith\t30\n", r["records"])
			})
			t.Run("GET with string parameters and links", func(t *testing.T) {
				q := url.Values{"resource_id": {id}, "filters": {`{"age": 25}`}, "limit": {"1"}, "offset": {"3"}}
				a := do(t, b.s, "GET", "/api/3/action/datastore_search?"+q.Encode(), "", nil)
				r := a.result(t)
				require.Equal(t, num("2"), r["total"])
				links := r["_links"].(map[string]any)
				start, err := url.Parse(links["start"].(string))
				require.NoError(t, err)
				require.Empty(t, start.Query().Get("offset"))
				next, err := url.Parse(links["next"].(string))
				require.NoError(t, err)
				require.Equal(t, "4", next.Query().Get("offset"))
				prev, err := url.Parse(links["prev"].(string))
				require.NoError(t, err)
				require.Equal(t, "2", prev.Query().Get("offset"))
			})
			errTests := []struct {
				name string
				body map[string]any
				key  string
				want []any
			}{
				{"bad limit", map[string]any{"limit": "abc"}, "limit", []any{"Invalid integer"}},
				{"negative limit", map[string]any{"limit": -1}, "limit", []any{"Must be a natural number"}},
				{"negative offset", map[string]any{"offset": -1}, "offset", []any{`invalid value "-1"`}},
				{"unknown field", map[string]any{"fields": "nope"}, "fields", []any{`invalid value "nope"`}},
				{"unknown filter", map[string]any{"filters": map[string]any{"nope": 1}}, "filters", []any{`invalid value "nope"`}},
				{"unknown sort", map[string]any{"sort": "nope desc"}, "sort", []any{`invalid value "nope desc"`}},
				{"bad records_format", map[string]any{"records_format": "xml"}, "records_format", []any{"Value must be one of ['objects', 'lists', 'csv', 'tsv']"}},
				{"filter value of the wrong type", map[string]any{"filters": map[string]any{"age": "old"}}, "query", []any{"Invalid query"}},
			}
			for _, tc := range errTests {
				t.Run(tc.name, func(t *testing.T) {
					body := map[string]any{"resource_id": id}
					for k, v := range tc.body {
						body[k] = v
					}
					a := post(t, b.s, "datastore_search", "", body)
					require.Equal(t, http.StatusConflict, a.status, "%s", a.raw)
					require.Equal(t, tc.want, a.errDict(t)[tc.key], "%s", a.raw)
				})
			}
			t.Run("missing table", func(t *testing.T) {
				a := post(t, b.s, "datastore_search", "", map[string]any{"resource_id": b.uploadID})
				require.Equal(t, http.StatusNotFound, a.status)
				require.Equal(t, `Not found: Resource "`+b.uploadID+`" was not found.`, a.errDict(t)["message"])
			})
		})
	}
}

// TestSearchTimestampTZ: CKAN renders only timestamp columns with to_char;
// timestamptz keeps microseconds and the offset (UTC).
func TestSearchTimestampTZ(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			b.create(t, map[string]any{"fields": []any{field("at", "timestamptz"), field("plain", "timestamp")}, "records": []any{
				map[string]any{"at": "2021-11-07T02:48:42.123456+05:30", "plain": "2021-11-07T02:48:42.123456+05:30"},
				map[string]any{"at": "2021-11-07 02:48:42", "plain": "2021-11-07"},
			}})
			r := b.search(t, map[string]any{"resource_id": b.datastoreID, "fields": "at,plain"})
			require.Equal(t, []any{
				map[string]any{"at": "2021-11-06T21:18:42.123456+00:00", "plain": "2021-11-07T02:48:42"},
				map[string]any{"at": "2021-11-07T02:48:42+00:00", "plain": "2021-11-07T00:00:00"},
			}, r["records"])
		})
	}
}

// TestSearchTableMetadata lists tables and aliases through the reserved
// _table_metadata name, without auth.
func TestSearchTableMetadata(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	b.create(t, map[string]any{"fields": []any{field("a", "text")}, "aliases": "ally"})
	r := b.search(t, map[string]any{"resource_id": "_table_metadata"})
	require.Equal(t, num("2"), r["total"])
	byName := map[any]any{}
	for _, rec := range r["records"].([]any) {
		m := rec.(map[string]any)
		byName[m["name"]] = m["alias_of"]
	}
	require.Equal(t, map[any]any{b.datastoreID: nil, "ally": b.datastoreID}, byName)
	r = b.search(t, map[string]any{"resource_id": "_table_metadata", "filters": map[string]any{"alias_of": b.datastoreID}, "fields": "name"})
	require.Equal(t, []any{map[string]any{"name": "ally"}}, r["records"])
}
