package sqlstore

// StagingName exposes the staging-table naming to the external tests, which
// create stale staging tables the way a killed load leaves them.
var StagingName = stagingName
