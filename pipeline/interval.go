package pipeline

import "time"

// Interval is a run's data interval, [Start, End): for a run fired by a
// cron trigger, from its logical date (the activation before) to the
// activation that fired it, as Airflow's data_interval_start and
// data_interval_end.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// IsZero reports whether the interval is unset (both ends zero).
func (i Interval) IsZero() bool { return i.Start.IsZero() && i.End.IsZero() }
