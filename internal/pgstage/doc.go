// Package pgstage is the one PostgreSQL staged-replace writer of the module
// and the binary COPY encoder it streams rows with. Both datastore/sqlstore
// (Replace mode) and the CKAN DataStore direct path use it.
//
// A replace is one transaction on one connection:
//
//  1. Begin takes the table's replace lock (a transaction-scoped advisory
//     lock, so concurrent replaces of one table run one after the other and
//     the result is exactly one input; a replace that has to wait says so
//     through Options.Waiting), then creates the staging table from the
//     column definitions it is given;
//  2. Write streams rows into it with binary COPY, each call under a
//     savepoint (a failed call leaves the rows of the calls before it),
//     or, when the staging table can refuse nothing a Write does not check
//     before it sends, into one COPY kept open from the first Write to
//     Commit (longcopy.go); between Writes the connection is then busy
//     with that COPY, so nothing else may run on it until Commit or Abort;
//  3. Commit runs Options.Staged, swaps the staging table in (a rename; when
//     only plain views depend on the target, a rename that recreates the
//     views with their options, owners, comments and grants (views.go); a
//     refill of the target when other objects depend on it; or a
//     drop-cascade and rename for callers that rebuild their own views), runs Options.Swapped inside the same transaction, and
//     commits. The exclusive lock on the target is held only from the swap
//     to the commit.
//
// Any failure, a cancelled context or a killed process rolls the
// transaction back: the staging table was never visible and vanishes with
// it, and the target is unchanged. With Options.Streams (parallel COPY,
// parallel.go) the staging table is committed outside the transaction and
// dropped on failure instead (a killed process's by the next replace).
package pgstage
