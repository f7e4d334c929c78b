package ingesthttp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/datafactory/datafactory/datastore/ingesthttp"
	"github.com/datafactory/datafactory/internal/testutil"
	"github.com/stretchr/testify/require"
)

// TestConcurrentClients is issue 16's acceptance on each database: 32
// clients × 100 requests at once, with no rejects table at the start (the
// first bad rows create it under concurrency): no 5xx, the table holds
// exactly the accepted rows and __rejects exactly the rejected ones.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	const clients, requests = 32, 100
	for _, db := range []struct {
		name string
		url  func(t *testing.T) string
	}{{"sqlite", sqliteURL}, {"postgres", func(t *testing.T) string { return testutil.PostgresURL(t) }}, {"mysql", func(t *testing.T) string { return testutil.MySQLURL(t) }}} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, db.url(t), nil)
			var inserted, rejected, bad atomic.Int64
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for r := range requests {
						id := (c*requests + r) * 2
						// one good row, one bad (an invalid date), and every
						// tenth request repeats a key of its own client
						dup := id
						if r%10 == 0 && r > 0 {
							dup = id - 2
						}
						body := fmt.Sprintf(`[{"id": %d, "name": "n", "datetime": "2021-03-01T10:00:00Z", "department_id": 1, "job_id": 1},
							{"id": %d, "name": "bad", "datetime": "2021-13-01", "department_id": 1, "job_id": 1},
							{"id": %d, "name": "dup", "datetime": "2021-03-01T10:00:00Z", "department_id": 1, "job_id": 1}]`, id, id+1, dup)
						if dup == id { // no duplicate this time: send two rows
							body = fmt.Sprintf(`[{"id": %d, "name": "n", "datetime": "2021-03-01T10:00:00Z", "department_id": 1, "job_id": 1},
							{"id": %d, "name": "bad", "datetime": "2021-13-01", "department_id": 1, "job_id": 1}]`, id, id+1)
						}
						req, _ := http.NewRequest(http.MethodPost, b.srv.URL+"/v1/tables/employees/rows", bytes.NewReader([]byte(body)))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						resp, err := http.DefaultClient.Do(req)
						if err != nil || resp.StatusCode != http.StatusOK {
							bad.Add(1)
							if resp != nil {
								resp.Body.Close()
							}
							continue
						}
						var out ingesthttp.RowsResponse
						if json.NewDecoder(resp.Body).Decode(&out) != nil {
							bad.Add(1)
						}
						resp.Body.Close()
						inserted.Add(int64(out.Inserted))
						rejected.Add(int64(out.Rejected))
					}
				}()
			}
			wg.Wait()
			require.Zero(t, bad.Load(), "requests without a 200 answer")
			require.EqualValues(t, clients*requests, inserted.Load(), "one good row a request")
			require.EqualValues(t, clients*requests+clients*9, rejected.Load(), "bad dates and repeated keys")
			require.EqualValues(t, inserted.Load(), b.count(t, "employees"))
			require.EqualValues(t, rejected.Load(), b.count(t, "employees__rejects"))
		})
	}
}
