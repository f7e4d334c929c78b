package pipeline

// Attribute keys of log records.
const (
	logKeyPipeline = "pipeline"
	logKeyRunID    = "run_id"
	logKeyTask     = "task"
	logKeyInstance = "instance"
	logKeyAttempt  = "attempt"
	logKeyTrigger  = "trigger"
)
