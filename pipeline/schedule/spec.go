package schedule

import "github.com/datafactory/datafactory/pipeline"

// SpecOptions returns the scheduler options of a pipeline spec's workflow
// settings (on_failure, retries_on_failure, concurrency, state), with
// dart's defaults: concurrency 1, no retries, HALT, and INACTIVE unless the
// spec says ACTIVE.
func SpecOptions(s *pipeline.Spec) (*PipelineOptions, error) {
	if err := s.ValidateWorkflow(); err != nil {
		return nil, err
	}
	return &PipelineOptions{MaxActiveRuns: max(s.Concurrency, 1), RetriesOnFailure: s.RetriesOnFailure,
		OnFailure: s.OnFailure, Inactive: s.State != string(Active)}, nil
}
