package ckantest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUpsertRules(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			b.create(t, map[string]any{"fields": []any{field("id", "text"), field("n", "int"), field("v", "numeric")}, "primary_key": "id"})
			nokey, err := b.s.AddResource(Resource{PackageID: b.datasetID, URLType: "datastore"})
			require.NoError(t, err)
			b.create(t, map[string]any{"resource_id": nokey, "fields": []any{field("a", "text")}})
			up := func(res, method string, records ...any) answer {
				body := map[string]any{"resource_id": res, "records": records}
				if method != "" {
					body["method"] = method
				}
				return post(t, b.s, "datastore_upsert", b.editor, body)
			}
			rec := func(kv ...any) map[string]any {
				m := map[string]any{}
				for i := 0; i < len(kv); i += 2 {
					m[kv[i].(string)] = kv[i+1]
				}
				return m
			}
			errTests := []struct {
				name string
				a    func() answer
				key  string
				want []any
				row  any
			}{
				{"insert: not an object (N from 0)", func() answer { return up(b.datastoreID, "insert", rec("id", "a"), "x") }, "records", []any{`row "1" is not a json object`}, nil},
				{"insert: extra keys (N from 1)", func() answer { return up(b.datastoreID, "insert", rec("id", "a"), rec("id", "b", "zz", 1)) }, "records", []any{`row "2" has extra keys "zz"`}, nil},
				{"insert: records_row is the request's last record", func() answer {
					return up(b.datastoreID, "insert", rec("id", "a"), rec("id", "b", "n", "abc"), rec("id", "c"))
				}, "records", []any{`invalid input syntax for type integer: "abc"`}, num("2")},
				{"upsert without a key", func() answer { return up(nokey, "upsert", rec("a", "x")) }, "table", []any{"unique key must be passed for update/upsert"}, nil},
				{"upsert with key fields missing", func() answer { return up(b.datastoreID, "", rec("n", 1)) }, "key", []any{`fields "id" are missing but needed as key`}, nil},
				{"upsert with unknown fields", func() answer { return up(b.datastoreID, "upsert", rec("id", "a", "zz", 1, "yy", 2)) }, "fields", []any{`fields "yy, zz" do not exist`}, nil},
				{"update of a missing key", func() answer { return up(b.datastoreID, "update", rec("id", "nope", "n", 1)) }, "key", []any{`key "{'id': 'nope'}" not found`}, nil},
				{"bad method", func() answer { return up(b.datastoreID, "merge", rec("id", "a")) }, "method", []any{"Value must be one of ['upsert', 'insert', 'update']"}, nil},
			}
			for _, tc := range errTests {
				t.Run(tc.name, func(t *testing.T) {
					a := tc.a()
					require.Equal(t, http.StatusConflict, a.status, "%s", a.raw)
					e := a.errDict(t)
					require.Equal(t, tc.want, e[tc.key], "%s", a.raw)
					if tc.row != nil {
						require.Equal(t, tc.row, e["records_row"])
					}
				})
			}
			require.Equal(t, 0, len(b.search(t, map[string]any{"resource_id": b.datastoreID})["records"].([]any)), "failed requests wrote nothing")

			a := up(b.datastoreID, "insert", rec("id", "a", "n", 1, "v", num("0.1000000000000000000001")), rec("id", "b", "n", "", "v", ""))
			res := a.result(t)
			require.Len(t, res["records"], 2, "the upsert echo includes records")
			require.Equal(t, "insert", res["method"])
			a = up(b.datastoreID, "", rec("id", "a", "n", 2), rec("id", "c", "n", 3))
			require.NotContains(t, a.result(t), "method", "method is echoed only when sent")
			// _id is a key too. (PostgreSQL's serial skips the values of
			// rolled-back inserts, so look it up.)
			bRow := b.search(t, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{"id": "b"}})["records"].([]any)[0].(map[string]any)
			require.Equal(t, http.StatusOK, up(b.datastoreID, "update", rec("_id", bRow["_id"], "n", 20)).status)
			a = post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": b.datastoreID, "dry_run": true, "records": []any{rec("id", "d")}})
			require.Equal(t, http.StatusOK, a.status)
			r := b.search(t, map[string]any{"resource_id": b.datastoreID, "sort": "_id", "fields": "id,n,v"})
			require.Equal(t, []any{
				map[string]any{"id": "a", "n": num("2"), "v": num("0.1000000000000000000001")},
				map[string]any{"id": "b", "n": num("20"), "v": nil},
				map[string]any{"id": "c", "n": num("3"), "v": nil},
			}, r["records"])
		})
	}
}

func TestUpsertMissing(t *testing.T) {
	t.Parallel()
	b := setup(t, backends()[0])
	a := post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": b.datastoreID, "records": []any{}})
	require.Equal(t, http.StatusNotFound, a.status)
	require.Equal(t, `Not found: Resource "`+b.datastoreID+`" was not found.`, a.errDict(t)["message"])
	a = post(t, b.s, "datastore_upsert", b.editor, map[string]any{"resource_id": "no-such-resource", "records": []any{}})
	require.Equal(t, http.StatusNotFound, a.status)
	a = post(t, b.s, "datastore_upsert", b.editor, map[string]any{"records": []any{}})
	require.Equal(t, http.StatusConflict, a.status)
	require.Equal(t, []any{"Missing value"}, a.errDict(t)["resource_id"])
}

func TestDelete(t *testing.T) {
	t.Parallel()
	for _, be := range backends() {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be)
			load := func() {
				b.create(t, map[string]any{"fields": []any{field("k", "text"), field("n", "int")}, "records": []any{
					map[string]any{"k": "a", "n": 1}, map[string]any{"k": "b", "n": 2}, map[string]any{"k": "c", "n": 3},
				}})
			}
			count := func() int {
				return len(b.search(t, map[string]any{"resource_id": b.datastoreID})["records"].([]any))
			}
			active := func() any {
				r, _ := b.s.ResourceDict(b.datastoreID)
				return r["datastore_active"]
			}
			load()
			require.Equal(t, true, active())
			a := post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{"k": []any{"a", "b"}}})
			require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
			require.Equal(t, 1, count())
			a = post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{"zz": 1}})
			require.Equal(t, []any{`invalid value "zz"`}, a.errDict(t)["filters"])
			a = post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": "k=a"})
			require.Equal(t, []any{"filters must be either a dict or null."}, a.errDict(t)["filters"])
			// {} deletes every row, keeps the table and the flag
			a = post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{}})
			require.Equal(t, http.StatusOK, a.status)
			require.Equal(t, 0, count())
			require.Equal(t, true, active())
			// records_delete needs filters and never drops
			a = post(t, b.s, "datastore_records_delete", b.editor, map[string]any{"resource_id": b.datastoreID})
			require.Equal(t, []any{"Missing value"}, a.errDict(t)["filters"])
			load()
			a = post(t, b.s, "datastore_records_delete", b.editor, map[string]any{"resource_id": b.datastoreID, "filters": map[string]any{"n": 3}})
			require.Equal(t, http.StatusOK, a.status, "%s", a.raw)
			require.Equal(t, 2, count())
			// no filters: the table goes and datastore_active is cleared
			a = post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID})
			require.Equal(t, http.StatusOK, a.status)
			require.Equal(t, false, active())
			a = post(t, b.s, "datastore_search", "", map[string]any{"resource_id": b.datastoreID})
			require.Equal(t, http.StatusNotFound, a.status)
			a = post(t, b.s, "datastore_delete", b.editor, map[string]any{"resource_id": b.datastoreID})
			require.Equal(t, http.StatusNotFound, a.status)
			require.Equal(t, `Not found: Resource "`+b.datastoreID+`" was not found.`, a.errDict(t)["message"])
		})
	}
}
