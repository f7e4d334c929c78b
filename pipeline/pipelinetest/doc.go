// Package pipelinetest runs pipelines and single tasks synchronously in
// tests on embedded parts: in-memory storage (mem://), an in-memory SQLite
// status store, a SQLite datastore in a temporary directory and a
// [FakeClock], so a test sees every output, table and status event without
// servers or sleeping. [New] gives a test a [Harness]; [Harness.RunAlone]
// unit-tests one custom task in isolation.
package pipelinetest
