package status

// ExecutionEvent maps the end of a workflow execution (an AWS Step
// Functions or Airflow run) to the event status-api's queue consumer
// posts: trace_id = the execution name, domain "dataset", operation
// "_set_finished_status", trace_status FINISHED, and trace_event_status OK
// for SUCCEEDED (or Airflow's "success"), FAILED for FAILED, ABORTED and
// TIMED_OUT (or "failed"). Other states give ok == false: the execution is
// not over, nothing should be recorded.
func ExecutionEvent(executionName, state string) (ev Event, ok bool) {
	var es EventStatus
	switch state {
	case "SUCCEEDED", "success":
		es = EventOK
	case "FAILED", "ABORTED", "TIMED_OUT", "failed":
		es = EventFailed
	default:
		return Event{}, false
	}
	return Event{
		TraceID: executionName, Domain: "dataset", Operation: "_set_finished_status",
		TraceStatus: TraceFinished, TraceEventStatus: es,
	}, true
}
