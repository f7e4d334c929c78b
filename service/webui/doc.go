// Package webui serves server-rendered HTML pages over the runs API and the
// status store: pipelines, runs (filtered, paged), a run with its tasks,
// conf (secrets redacted by pipelinehttp) and trace, jobs and traces, and
// the actions trigger (a form generated from the pipeline's JSON Schema)
// and retry. Templates and assets are embedded; pages request nothing from
// another host (a Content-Security-Policy of 'self' says so to browsers).
//
// Sign-in takes a service token and sets an HttpOnly, SameSite=Strict
// cookie holding an HMAC-signed session (never the token); every form
// carries a CSRF token derived from the session, checked on every POST.
// Read pages work without JavaScript; with it, a running run's page
// refreshes itself by polling.
//
// Mount [New]'s handler under its Prefix (default "/ui/"), and its
// [Handler.AircanAlias] at "/" for ckanext-aircan's
// /@{org}/{dataset}/actions/runs/{id} links.
package webui
