package ckantest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func field(id, typ string) map[string]any {
	if typ == "" {
		return map[string]any{"id": id}
	}
	return map[string]any{"id": id, "type": typ}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 64)
	tests := []struct {
		name string
		body map[string]any
		key  string
		want any
	}{
		{"leading underscore", map[string]any{"fields": []any{field("_a", "text")}}, "fields", []any{`"_a" is not a valid field name`}},
		{"double quote", map[string]any{"fields": []any{field(`a"b`, "text")}}, "fields", []any{`"a\"b" is not a valid field name`}},
		{"trailing space", map[string]any{"fields": []any{field("a ", "text")}}, "fields", []any{`"a " is not a valid field name`}},
		{"64 characters", map[string]any{"fields": []any{field(long, "text")}}, "fields", []any{`Column heading "` + long + `" exceeds limit of 63 characters.`}},
		{"duplicate", map[string]any{"fields": []any{field("a", "text"), field("a", "int")}}, "field", []any{"Duplicate column names are not supported"}},
		{"bad type", map[string]any{"fields": []any{field("a", "nosuchtype")}}, "fields", []any{`"nosuchtype" is not a valid field type`}},
		{"serial is not a type", map[string]any{"fields": []any{field("a", "serial")}}, "fields", []any{`"serial" is not a valid field type`}},
		{"not guessable", map[string]any{"fields": []any{field("a", "")}}, "fields", []any{`"a" type not guessable`}},
		{"first record not an object", map[string]any{"fields": []any{field("a", "text")}, "records": []any{"x"}}, "records", []any{"The first row is not a json object"}},
		{"unknown resource", map[string]any{"resource_id": "nope"}, "resource_id", []any{"Not found: Resource"}},
		{"resource and resource_id", map[string]any{"resource": map[string]any{"package_id": "employees"}}, "resource", []any{"resource cannot be used with resource_id"}},
		{"neither", map[string]any{"resource_id": nil}, "resource_id", []any{"resource_id or resource required"}},
		{"bad primary key column", map[string]any{"fields": []any{field("a", "text")}, "primary_key": "b"}, "index", []any{`The field "b" is not a valid column name.`}},
		{"bad alias", map[string]any{"fields": []any{field("a", "text")}, "aliases": "a%b"}, "alias", []any{`"a%b" is not a valid alias name`}},
		{"field without id", map[string]any{"fields": []any{field("a", "text"), map[string]any{"type": "text"}}}, "fields", []any{map[string]any{}, map[string]any{"id": []any{"Missing value"}}}},
	}
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					body := map[string]any{"resource_id": b.datastoreID}
					for k, v := range tc.body {
						body[k] = v
					}
					if body["resource_id"] == nil {
						delete(body, "resource_id")
					}
					a := post(t, b.s, "datastore_create", b.editor, body)
					require.Equal(t, http.StatusConflict, a.status, "%s", a.raw)
					e := a.errDict(t)
					require.Equal(t, "Validation Error", e["__type"])
					require.Equal(t, tc.want, e[tc.key], "%s", a.raw)
				})
			}
		})
	}
}

func TestCreateTypes(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			types := [][2]string{ // given → search typname
				{"int", "int4"}, {"integer", "int4"}, {"int4", "int4"}, {"bigint", "int8"}, {"int8", "int8"},
				{"smallint", "int2"}, {"float", "float8"}, {"double precision", "float8"}, {"real", "float4"},
				{"numeric", "numeric"}, {"numeric(10,2)", "numeric"}, {"decimal", "numeric"}, {"text", "text"},
				{"varchar", "varchar"}, {"bool", "bool"}, {"boolean", "bool"}, {"date", "date"}, {"time", "time"},
				{"timestamp", "timestamp"}, {"timestamptz", "timestamptz"}, {"json", "json"}, {"jsonb", "jsonb"},
				{"_text", "_text"}, {"text[]", "_text"}, {"int[2]", "_int4"}, {"uuid", "uuid"},
			}
			var fields []any
			for i, tt := range types {
				fields = append(fields, field("c"+string(rune('a'+i)), tt[0]))
			}
			b.create(t, map[string]any{"fields": fields})
			r := b.search(t, map[string]any{"resource_id": b.datastoreID})
			got := r["fields"].([]any)
			require.Equal(t, map[string]any{"id": "_id", "type": "int"}, got[0])
			for i, tt := range types {
				require.Equal(t, tt[1], got[i+1].(map[string]any)["type"], tt[0])
			}
		})
	}
}

func TestCreateGuessesFromFirstRecord(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			a := post(t, b.s, "datastore_create", b.editor, map[string]any{
				"resource_id": b.datastoreID,
				"fields":      []any{field("i", ""), field("f", ""), field("is", ""), field("fs", ""), field("ts", ""), field("d", ""), field("j", ""), field("s", "")},
				"records": []any{map[string]any{
					"i": num("3"), "f": num("1.5"), "is": "42", "fs": "4.25", "ts": "2020-01-31", "d": "01/31/2020",
					"j": map[string]any{"k": "v"}, "s": "hello", "extra": "guessed",
				}},
			})
			res := a.result(t)
			require.Equal(t, "insert", res["method"])
			require.Equal(t, false, res["delete_fields"])
			require.NotContains(t, res, "records")
			want := map[string]string{"i": "int", "f": "float", "is": "integer", "fs": "numeric", "ts": "timestamp", "d": "timestamp", "j": "nested", "s": "text"}
			for _, f := range res["fields"].([]any) {
				m := f.(map[string]any)
				require.Equal(t, want[m["id"].(string)], m["type"], m["id"])
			}
			info := post(t, b.s, "datastore_info", "", map[string]any{"id": b.datastoreID}).result(t)
			types := map[string]any{}
			for _, f := range info["fields"].([]any) {
				m := f.(map[string]any)
				types[m["id"].(string)] = m["type"]
			}
			require.Equal(t, map[string]any{"i": "int4", "f": "float8", "is": "int4", "fs": "numeric", "ts": "timestamp", "d": "timestamp",
				"j": "nested", "s": "text", "extra": "text"}, types)
			r := b.search(t, map[string]any{"resource_id": b.datastoreID})
			rec := r["records"].([]any)[0].(map[string]any)
			require.Equal(t, "2020-01-31T00:00:00", rec["ts"])
			require.Equal(t, map[string]any{"k": "v"}, rec["j"])
			require.Equal(t, "2020-01-31T00:00:00", rec["d"])

			// %d/%m/%Y guesses timestamp, but PostgreSQL reads dates MDY:
			// the guess then fails on insert, as it does in CKAN.
			other, err := b.s.AddResource(Resource{PackageID: b.datasetID, URLType: "datastore"})
			require.NoError(t, err)
			a = post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": other, "records": []any{map[string]any{"d": "31/01/2020"}}})
			require.Equal(t, http.StatusConflict, a.status)
			e := a.errDict(t)
			require.Equal(t, num("0"), e["records_row"])
			require.Contains(t, e["records"].([]any)[0], `"31/01/2020"`)
			// A JSON bool guesses int, and PostgreSQL refuses a boolean there.
			a = post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": other, "records": []any{map[string]any{"flag": true}}})
			require.Equal(t, http.StatusConflict, a.status)
			require.Contains(t, a.errDict(t)["records"].([]any)[0], "boolean")
		})
	}
}

func TestCreateWithResourceDict(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	a := post(t, b.s, "datastore_create", b.editor, map[string]any{
		"resource": map[string]any{"package_id": b.datasetID, "name": "new"},
		"fields":   []any{field("a", "text")},
	})
	res := a.result(t)
	id := res["resource_id"].(string)
	require.NotEmpty(t, id)
	r := post(t, b.s, "resource_show", "", map[string]any{"id": id}).result(t)
	require.Equal(t, "datastore", r["url_type"])
	require.Equal(t, b.s.URL()+"/datastore/dump/"+id, r["url"])
	require.Equal(t, true, r["datastore_active"])

	a = post(t, b.s, "datastore_create", b.editor, map[string]any{
		"resource": map[string]any{"package_id": b.datasetID, "url": "http://example.com/x.csv"},
	})
	require.Equal(t, http.StatusConflict, a.status)
	require.Equal(t, []any{"The datapusher has to be enabled."}, a.errDict(t)["resource"])
}

func TestCreateAlterKeysAliases(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			b.create(t, map[string]any{"fields": []any{field("a", "text"), field("b", "int")}, "primary_key": []any{"a"}, "aliases": "people"})
			// adding a field keeps the old ones and their types
			b.create(t, map[string]any{"fields": []any{field("a", "numeric"), field("c", "date")}})
			info := post(t, b.s, "datastore_info", "", map[string]any{"id": "people"}).result(t)
			meta := info["meta"].(map[string]any)
			require.Equal(t, b.datastoreID, meta["id"])
			require.Equal(t, []any{"people"}, meta["aliases"])
			var got []string
			for _, f := range info["fields"].([]any) {
				m := f.(map[string]any)
				got = append(got, m["id"].(string)+":"+m["type"].(string))
				if m["id"] == "a" {
					require.Equal(t, true, m["schema"].(map[string]any)["uniquekey"])
				}
			}
			require.Equal(t, []string{"a:text", "b:int4", "c:date"}, got)
			// delete_fields drops the columns not passed
			b.create(t, map[string]any{"fields": []any{field("a", "text"), field("c", "date")}, "delete_fields": true})
			r := b.search(t, map[string]any{"resource_id": "people"})
			require.Len(t, r["fields"], 3)
			require.Equal(t, b.datastoreID, r["resource_id"])
			// a duplicate key value violates the unique key
			a := post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": b.datastoreID, "records": []any{map[string]any{"a": "x"}, map[string]any{"a": "x"}}})
			require.Equal(t, http.StatusConflict, a.status)
			e := a.errDict(t)
			require.Equal(t, []any{"Cannot insert records or create index because of uniqueness constraint"}, e["constraints"])
			require.Equal(t, "23505", e["info"].(map[string]any)["pgcode"])
			// the alias is taken
			other, err := b.s.AddResource(Resource{PackageID: b.datasetID, URLType: "datastore"})
			require.NoError(t, err)
			a = post(t, b.s, "datastore_create", b.editor, map[string]any{"resource_id": other, "fields": []any{field("a", "text")}, "aliases": []any{"people"}})
			require.Equal(t, http.StatusConflict, a.status)
			require.Equal(t, []any{`"people" already exists`}, a.errDict(t)["alias"])
			// primary_key "" removes the key: duplicates are then fine
			b.create(t, map[string]any{"primary_key": ""})
			a = post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": b.datastoreID, "method": "insert", "records": []any{map[string]any{"a": "x"}, map[string]any{"a": "x"}}})
			require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
		})
	}
}
