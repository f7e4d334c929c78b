package statuscli

import "github.com/datafactory/datafactory/status"

// eventErrors are the Error(s) of one event: the English messages of its
// errors, or, for a FAILED event without any, its exception (the error
// text a run records, e.g. `database "nosuchdb" does not exist`).
func eventErrors(ev *status.Event) []string {
	msgs := status.ErrorMessages(ev.Errors)
	if len(msgs) == 0 && ev.TraceEventStatus == status.EventFailed && ev.Exception != "" {
		msgs = append(msgs, ev.Exception)
	}
	return msgs
}

// summarize is [status.Summarize] with each event's Error(s) from
// eventErrors, so a failed run's reason is shown.
func summarize(evs []status.Event) status.Summary {
	s := status.Summarize(evs)
	s.Errors = []string{}
	for i := range evs {
		s.Errors = append(s.Errors, eventErrors(&evs[i])...)
	}
	return s
}
