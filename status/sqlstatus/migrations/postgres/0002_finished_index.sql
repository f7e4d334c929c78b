-- Index for summaries: a trace's first FINISHED event.
CREATE INDEX status_events_finished ON status_events (trace_id, trace_status, start_time, seq);
