package httpsource_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/datafactory/datafactory/httpsource"
	"github.com/datafactory/datafactory/httpsource/hawk"
	"github.com/stretchr/testify/require"
)

// hawkAPI is a testAPI that verifies every request with Hawk (refusing
// replays) and signs every response; tamper names a page whose body is
// changed after signing (0: none).
func hawkAPI(creds hawk.Credentials, tamper int) *testAPI {
	lookup := func(id string) (hawk.Credentials, bool) { return creds, id == creds.ID }
	v := &hawk.Verifier{Lookup: lookup, Nonces: &hawk.NonceCache{}}
	// artifacts re-reads a request the check already accepted (so without
	// the nonce cache) for signing the reply.
	artifacts := &hawk.Verifier{Lookup: lookup}
	api := &testAPI{n: 23, size: 5, style: "next"}
	api.check = func(w http.ResponseWriter, r *http.Request) bool {
		if _, _, err := v.Verify(r, nil); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return false
		}
		return true
	}
	api.sign = func(w http.ResponseWriter, r *http.Request, body []byte) []byte {
		art, _, err := artifacts.Verify(r, nil)
		if err != nil {
			panic(err)
		}
		w.Header().Set("Server-Authorization", hawk.ResponseHeader(creds, art, "application/json", body, ""))
		if api.offset(r)/api.size+1 == tamper {
			return bytes.Replace(body, []byte(`"r`), []byte(`"R`), 1)
		}
		return body
	}
	return api
}

var hawkCreds = hawk.Credentials{ID: "dataflow", Key: "hawk-" + token}

func TestHawkSource(t *testing.T) {
	t.Parallel()
	api := hawkAPI(hawkCreds, 0)
	srv := api.start(t)
	src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: httpsource.Hawk{Credentials: hawkCreds}})
	require.NoError(t, err)
	ids, pages, err := collectIDs(t, src)
	require.NoError(t, err)
	require.Equal(t, seq(23), ids)
	require.Equal(t, 5, pages)

	wrong := hawk.Credentials{ID: hawkCreds.ID, Key: "not-the-key"}
	src, err = httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: httpsource.Hawk{Credentials: wrong}})
	require.NoError(t, err)
	_, _, err = collectIDs(t, src)
	require.ErrorIs(t, err, httpsource.ErrStatus, "the server refuses a bad MAC")
	require.NotContains(t, err.Error(), hawkCreds.Key)
}

func TestHawkTamperedResponseFails(t *testing.T) {
	t.Parallel()
	api := hawkAPI(hawkCreds, 2)
	srv := api.start(t)
	src, err := httpsource.New(srv.URL+"/items", &httpsource.Options{Auth: httpsource.Hawk{Credentials: hawkCreds}})
	require.NoError(t, err)
	ids, _, err := collectIDs(t, src)
	require.Equal(t, seq(5), ids, "only page 1 was accepted")
	require.ErrorIs(t, err, hawk.ErrBadHash)
	var pe *httpsource.PageError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, 2, pe.Page)
	require.Equal(t, 2, api.hits(), "a tampered response is not retried")
	require.NotContains(t, err.Error(), hawkCreds.Key)
}
