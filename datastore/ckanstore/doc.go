// Package ckanstore is the datastore backend for the CKAN DataStore, over
// the action-API client of package ckan.
//
// [Open] returns a datastore.Store whose tables are DataStore tables, so
// datastore.Load (validation, rejects, progress, drift) writes to CKAN. A
// table is either a resource's own table (StoreOptions.Resources, as AirCan
// loads an upload) or a DataStore-only resource created in
// StoreOptions.PackageID with the table name as its alias. Types map as
// described on [Open] and in types.go: integer → int8, number →
// numeric, datetime → timestamptz (CKAN's int4, float8 and timestamp lose
// range, digits or the instant); the Table Schema field is kept in the
// column's Data Dictionary info, so DescribeTable returns it. Every write
// sends force=true. The action API has no cross-request transactions: the
// window each mode leaves is documented on [Open]; with
// StoreOptions.PostgresURL, replace writes to the DataStore's PostgreSQL
// directly (COPY, atomic swap, API refresh).
package ckanstore
