package ckantest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/datafactory/datafactory/ckan/ckantest"
)

func ExampleNewServer() {
	srv := ckantest.NewServer(nil) // SQLite in a temporary directory
	defer srv.Close()
	token := srv.AddUser("loader", false)
	d, _ := srv.AddDataset(ckantest.Dataset{Name: "employees", Editors: []string{"loader"}})
	resID, _ := srv.AddResource(ckantest.Resource{ID: "res-1", PackageID: d.ID, URL: "http://files/employees.csv", URLType: "upload"})

	call := func(action, token, body string) {
		req, _ := http.NewRequest("POST", srv.URL()+"/api/3/action/"+action, strings.NewReader(body))
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var env map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			panic(err)
		}
		delete(env, "help") // names the random port
		out, _ := json.Marshal(env)
		fmt.Println(resp.StatusCode, string(out))
	}
	// An upload resource is read-only without force.
	call("datastore_create", token, `{"resource_id": "`+resID+`", "fields": [{"id": "name", "type": "text"}]}`)
	call("datastore_create", token, `{"resource_id": "`+resID+`", "force": true, "fields": [{"id": "name", "type": "text"}], "records": [{"name": "Ada"}]}`)
	call("datastore_search", "", `{"resource_id": "`+resID+`", "include_total": false}`)
	// Output:
	// 409 {"error":{"__type":"Validation Error","read-only":["Cannot edit read-only resource because changes made may be lost. Use a resource created for editing e.g. with datastore_create or use \"force=True\" to ignore this warning."]},"success":false}
	// 200 {"result":{"calculate_record_count":false,"delete_fields":false,"fields":[{"id":"name","type":"text"}],"force":true,"method":"insert","resource_id":"res-1"},"success":true}
	// 200 {"result":{"_links":{"next":"/api/3/action/datastore_search?offset=100","start":"/api/3/action/datastore_search"},"fields":[{"id":"_id","type":"int"},{"id":"name","type":"text"}],"include_total":false,"limit":100,"records":[{"_id":1,"name":"Ada"}],"records_format":"objects","resource_id":"res-1"},"success":true}
}
