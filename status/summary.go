package status

// Summary is a trace's state at a glance, as `okdata status` prints it.
type Summary struct {
	// Done is true when the latest event is FINISHED.
	Done bool `json:"done"`
	// TraceID is the trace.
	TraceID string `json:"trace_id"`
	// TraceStatus and TraceEventStatus come from the latest event.
	TraceStatus      TraceStatus `json:"trace_status"`
	TraceEventStatus EventStatus `json:"trace_event_status"`
	// Errors are the English messages of the errors of all events, in
	// order; never nil.
	Errors []string `json:"errors"`
}

// Summarize computes a summary exactly as the okdata CLI does: the latest
// event is the first FINISHED one in the given order, else the last one;
// Done means the latest is FINISHED; Errors collects [ErrorMessages] of
// every event. events must be in API order (oldest first); with no events
// the zero Summary (with empty Errors) is returned.
func Summarize(events []Event) Summary {
	sum := Summary{Errors: []string{}}
	if len(events) == 0 {
		return sum
	}
	latest := -1
	for i := range events {
		if latest < 0 && events[i].TraceStatus == TraceFinished {
			latest = i
		}
		sum.Errors = appendMessages(sum.Errors, events[i].Errors)
	}
	if latest < 0 {
		latest = len(events) - 1
	}
	out := summaryOf(&events[latest])
	out.Errors = sum.Errors
	return out
}

// summaryOf returns the summary fields taken from the latest event.
func summaryOf(ev *Event) Summary {
	return Summary{
		Done: ev.TraceStatus == TraceFinished, TraceID: ev.TraceID,
		TraceStatus: ev.TraceStatus, TraceEventStatus: ev.TraceEventStatus, Errors: []string{},
	}
}

// ErrorMessages returns the English message of each entry, dropping
// entries without one (as the okdata CLI does). It never returns nil.
func ErrorMessages(errs []ErrorEntry) []string {
	return appendMessages(make([]string, 0, len(errs)), errs)
}

func appendMessages(dst []string, errs []ErrorEntry) []string {
	for _, e := range errs {
		if msg, ok := e.Message["en"]; ok {
			dst = append(dst, msg)
		}
	}
	return dst
}
