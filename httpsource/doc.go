// Package httpsource reads paginated JSON APIs as a stream of rows: the
// data-flow "fetch" step as a library. A [Source] follows an API's pages
// (a next link in the body, page numbers, offset/limit, a cursor, or an
// RFC 8288 Link header), authenticates every request (Hawk with response
// verification, bearer, basic, an API-key header), retries through
// go-retryablehttp honouring Retry-After, keeps to a rate limit and to a
// page-size and time budget. [Source.Rows] maps each record's keys to the
// columns of a Frictionless schema and casts them, so the rows go through
// the same validation and datastore.Load as a file:
//
//	src, _ := httpsource.New("https://api.example/v4/dataset/companies", &httpsource.Options{
//		Auth: httpsource.Hawk{Credentials: creds},
//	})
//	rows, _ := src.Rows(ctx, schema, nil)
//	defer rows.Close()
//	rep, err := datastore.Load(ctx, store, "companies", rows, &datastore.LoadOptions{Mode: datastore.ModeReplace})
//
// A replace load is data-flow's copy table and swap: the rows go to a
// staging table that replaces the target only when every page was read, so
// a failed page (a 500 after the retries, a tampered response, a malformed
// body) leaves the target as it was.
//
// # Field mapping
//
// Each schema field takes the record key of the same name unless
// [RowOptions.Mapping] names another source key. Keys are literal flat keys,
// as data-flow's are ("company__name" is not a nested path). Missing keys,
// null, "", "None", empty arrays and empty objects become NULL, data-flow's
// rule; unlike data-flow, 0 and false stay values.
//
// # Secrets
//
// Credentials are [Secret] values (or hawk.Credentials), which print as
// "[redacted]". They are only ever sent to the origin (scheme, host and
// port) of the source's first URL: a next link or a redirect to another
// origin fails with [ErrForeignURL] before any request is made. Put secrets
// in [Options.Auth], never in the URL: errors name the page URL.
//
// # Errors
//
// A page that cannot be read is a [*PageError] naming the page number and
// URL; it wraps [ErrStatus] (a non-2xx answer after the retries),
// [ErrMalformedPage] (not JSON, records missing or not objects, a bad next
// link or cursor), [ErrBudget] (too many pages, a page too large),
// [ErrForeignURL], or the transport's error (e.g. hawk.ErrBadMAC for a
// tampered response). A record that fails the schema is a
// *frictionless.RowError, which datastore.Load rejects and counts while the
// stream goes on.
package httpsource
