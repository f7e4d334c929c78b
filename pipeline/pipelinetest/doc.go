// Package pipelinetest runs pipelines synchronously in tests: in-memory
// storage (mem://), an in-memory SQLite status store and a [FakeClock], so a
// test sees every output and status event without servers or sleeping.
package pipelinetest
