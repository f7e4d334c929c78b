// Package connection holds the operator's named connections: databases,
// buckets, CKAN sites and file roots, with their secrets (DESIGN principle 9,
// "a request never chooses what the operator owns").
//
// Whoever starts the service or embeds the library builds a [Set] (in Go, or
// from a configuration file with [ParseConfig]). Run confs and HTTP requests
// refer to its entries by name ("target": "warehouse"); the Set resolves a
// name to the connection and opens it. A reference that is not a name, such
// as a raw database URL, an "env:" reference or a local path, is refused
// unless the operator allowed it: a URL only when its host is in
// [Set.AllowHosts] (and then no secret is attached to it), a path only when it
// lies inside one of [Set.Roots] after symlinks are resolved. Every check
// runs before anything is read or connected.
//
// # Errors
//
// Errors match [ErrNotConfigured] (an unknown name) or [ErrRefused] (a
// reference the operator did not allow), both through [*RefError]. They never
// contain a value read from the environment, a password, or a URL that
// failed to parse.
//
// # Embedded defaults
//
// [OpenEmbedded] opens everything a host needs on one machine: a SQLite data
// store, a SQLite status store and a file:// bucket in a directory it creates.
package connection
