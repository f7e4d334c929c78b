package aircan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/datafactory/datafactory/ckan"
	"github.com/datafactory/datafactory/ckan/aircan"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/status"
	"github.com/stretchr/testify/require"
)

// pgPassword is the password of a DataStore URL that cannot connect.
const pgPassword = "s3cret-Datastore-pw"

// TestSecretsNeverStored: a conf carrying the API key (or a DataStore URL
// with a password) is refused before anything is stored; runs that succeed
// and runs that fail leave neither the key nor the password in the bucket,
// the status store, the logs, the errors or CKAN's status messages.
func TestSecretsNeverStored(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.cfg.PostgresURL = ckan.Secret("postgres://ckan:" + pgPassword + "@127.0.0.1:1/datastore?sslmode=disable")

	for name, mod := range map[string]func(res, ckan map[string]any){
		"api_key": func(_, ckan map[string]any) { ckan["api_key"] = b.token },
		"datastore url": func(_, ckan map[string]any) {
			ckan["ckan_datastore_postgres_url"] = "postgres://ckan:" + pgPassword + "@db/datastore"
		},
		"api_key (spaces)": func(_, ckan map[string]any) { ckan["api_key"] = " " },
	} {
		_, err := b.run(t, b.conf(t, mod))
		require.ErrorIs(t, err, pipeline.ErrInvalidConf, name)
	}
	require.Empty(t, b.readBucket(t), "refused confs are not stored")

	var errs []string
	for _, mod := range []func(res, ckan map[string]any){
		func(_, ckan map[string]any) { ckan["api_key"] = "[redacted]" }, // a redacted echo is fine
		func(_, ckan map[string]any) { ckan["ckan_datastore_postgres_url"] = "postgres://ckan@db/datastore" },
		func(res, _ map[string]any) { res["path"] = "missing.csv" },
		func(_, ckan map[string]any) { ckan["aircan_load_with_postgres_copy"] = true }, // cannot connect
	} {
		sum, err := b.run(t, b.conf(t, mod))
		if err != nil {
			errs = append(errs, err.Error())
			for _, ts := range sum.Tasks {
				if ts.Err != nil {
					errs = append(errs, ts.Err.Error(), fmt.Sprintf("%+v", ts.Err))
				}
			}
		}
	}
	require.Len(t, errs, 2*3, "two runs failed")
	require.Contains(t, strings.Join(errs, "\n"), "DataStore database")
	b.failAction("datastore_upsert", http.StatusInternalServerError)
	_, err := b.run(t, b.conf(t, nil))
	require.Error(t, err)
	errs = append(errs, err.Error())

	var texts []string
	for path, content := range b.readBucket(t) {
		texts = append(texts, path+"\n"+content)
	}
	require.Greater(t, len(texts), 50)
	db, err := os.ReadFile(b.statusDB)
	require.NoError(t, err)
	texts = append(texts, string(db), b.logs.String(), strings.Join(errs, "\n"), statusText(t, b.status))
	for _, u := range b.srv.StatusUpdates() {
		data, _ := json.Marshal(u.Data)
		texts = append(texts, string(data))
	}
	for _, secret := range []string{b.token, pgPassword} {
		for _, text := range texts {
			require.NotContains(t, text, secret)
		}
	}
	require.Contains(t, b.logs.String(), "reported to CKAN", "the logs were captured")
	require.Contains(t, statusText(t, b.status), "fetch_resource")
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		require.NotContains(t, fmt.Sprintf(f, *b.cfg), b.token)
		require.NotContains(t, fmt.Sprintf(f, *b.cfg), pgPassword)
	}
}

// statusText renders every event and job of the status store.
func statusText(t *testing.T, st *status.Store) string {
	t.Helper()
	jobs, err := st.ListJobs(context.Background(), &status.JobQuery{})
	require.NoError(t, err)
	var b strings.Builder
	for _, j := range jobs {
		data, _ := json.Marshal(j)
		b.Write(data)
		evs, err := st.Events(context.Background(), j.ID)
		require.NoError(t, err)
		data, _ = json.Marshal(evs)
		b.Write(data)
	}
	return b.String()
}

// TestKeyOnlyToItsSite: a conf naming a site without configured
// credentials is refused and that site never hears from the pipeline;
// Config.Sites adds sites.
func TestKeyOnlyToItsSite(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	var mu sync.Mutex
	var seen []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer evil.Close()
	sum, err := b.run(t, b.conf(t, func(_, ckan map[string]any) { ckan["site_url"] = evil.URL }))
	require.ErrorIs(t, err, pipeline.ErrRunFailed)
	fetch, _ := sum.Task(aircan.TaskFetch)
	require.ErrorContains(t, fetch.Err, "has no configured credentials")
	require.Empty(t, seen)

	// the configured site, spelled with a trailing slash and upper case
	_, err = b.run(t, b.conf(t, func(_, ckan map[string]any) { ckan["site_url"] = strings.ToUpper(b.site) + "/" }))
	require.ErrorIs(t, err, pipeline.ErrInvalidConf, "the schema wants http(s)://")
	_, err = b.run(t, b.conf(t, func(_, ckan map[string]any) { ckan["site_url"] = b.site + "/" }))
	require.NoError(t, err)

	// no site in the conf: the configured one; another site through Sites
	_, err = b.run(t, b.conf(t, func(_, ckan map[string]any) { delete(ckan, "site_url") }))
	require.NoError(t, err)
	other := setup(t, "")
	b.cfg.Sites = func(site string) (aircan.Credentials, bool) {
		return aircan.Credentials{APIKey: ckan.Secret(other.token)}, site == other.site
	}
	b.cfg.SiteURL = ""
	_, err = b.run(t, other.conf(t, nil))
	require.NoError(t, err)
	require.EqualValues(t, 1929, other.total(t))
}
