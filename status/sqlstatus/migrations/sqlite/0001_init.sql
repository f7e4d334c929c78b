-- datafactory status store, SQLite: traces, events, jobs.
-- Times are microseconds since the Unix epoch (UTC); JSON is stored as text.
CREATE TABLE status_traces (
	trace_id TEXT NOT NULL PRIMARY KEY,
	created  BIGINT NOT NULL
);
CREATE TABLE status_events (
	seq                INTEGER PRIMARY KEY,
	trace_id           TEXT NOT NULL REFERENCES status_traces (trace_id),
	trace_event_id     TEXT NOT NULL UNIQUE,
	domain             TEXT NOT NULL DEFAULT '',
	domain_id          TEXT NOT NULL DEFAULT '',
	start_time         BIGINT,
	end_time           BIGINT,
	trace_status       TEXT NOT NULL,
	trace_event_status TEXT NOT NULL,
	username           TEXT NOT NULL DEFAULT '',
	component          TEXT NOT NULL DEFAULT '',
	operation          TEXT NOT NULL DEFAULT '',
	status_body        TEXT,
	meta               TEXT,
	s3_path            TEXT NOT NULL DEFAULT '',
	duration_ms        DOUBLE PRECISION,
	exception          TEXT NOT NULL DEFAULT '',
	errors             TEXT
);
CREATE INDEX status_events_trace ON status_events (trace_id, start_time, seq);
CREATE INDEX status_events_s3_path ON status_events (s3_path);
CREATE TABLE status_jobs (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	factory_id TEXT NOT NULL DEFAULT '',
	job_type   TEXT NOT NULL,
	dataset    TEXT NOT NULL DEFAULT '',
	resource   TEXT NOT NULL DEFAULT '',
	username   TEXT NOT NULL DEFAULT '',
	status     TEXT NOT NULL,
	info       TEXT,
	created    BIGINT NOT NULL,
	updated    BIGINT NOT NULL,
	heartbeat  BIGINT,
	version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX status_jobs_dataset ON status_jobs (dataset, created);
CREATE INDEX status_jobs_resource ON status_jobs (resource, created);
CREATE INDEX status_jobs_factory ON status_jobs (factory_id);
CREATE INDEX status_jobs_running ON status_jobs (status, heartbeat);
