package pipeline

// Attribute keys of the log records of runs and schedulers.
const (
	LogKeyPipeline = "pipeline"
	LogKeyRunID    = "run_id"
	LogKeyTask     = "task"
	LogKeyInstance = "instance"
	LogKeyAttempt  = "attempt"
	LogKeyTrigger  = "trigger"
)
