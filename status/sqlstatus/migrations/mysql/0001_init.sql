-- datafactory status store, MySQL/MariaDB: traces, events, jobs.
-- Times are microseconds since the Unix epoch (UTC); JSON is stored as text.
CREATE TABLE status_traces (
	trace_id VARCHAR(255) NOT NULL PRIMARY KEY,
	created  BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE status_events (
	seq                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	trace_id           VARCHAR(255) NOT NULL,
	trace_event_id     VARCHAR(255) NOT NULL,
	domain             VARCHAR(255) NOT NULL DEFAULT '',
	domain_id          VARCHAR(255) NOT NULL DEFAULT '',
	start_time         BIGINT NULL,
	end_time           BIGINT NULL,
	trace_status       VARCHAR(16) NOT NULL,
	trace_event_status VARCHAR(16) NOT NULL,
	username           VARCHAR(255) NOT NULL DEFAULT '',
	component          VARCHAR(255) NOT NULL DEFAULT '',
	operation          VARCHAR(255) NOT NULL DEFAULT '',
	status_body        MEDIUMTEXT NULL,
	meta               MEDIUMTEXT NULL,
	s3_path            VARCHAR(1024) NOT NULL DEFAULT '',
	duration_ms        DOUBLE NULL,
	exception          MEDIUMTEXT NOT NULL,
	errors             MEDIUMTEXT NULL,
	UNIQUE KEY status_events_event_id (trace_event_id),
	KEY status_events_trace (trace_id, start_time, seq),
	KEY status_events_s3_path (s3_path(255)),
	CONSTRAINT status_events_trace_fk FOREIGN KEY (trace_id) REFERENCES status_traces (trace_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE status_jobs (
	seq        BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
	id         VARCHAR(255) NOT NULL,
	factory_id VARCHAR(255) NOT NULL DEFAULT '',
	job_type   VARCHAR(64) NOT NULL,
	dataset    VARCHAR(255) NOT NULL DEFAULT '',
	resource   VARCHAR(255) NOT NULL DEFAULT '',
	username   VARCHAR(255) NOT NULL DEFAULT '',
	status     VARCHAR(16) NOT NULL,
	info       MEDIUMTEXT NULL,
	created    BIGINT NOT NULL,
	updated    BIGINT NOT NULL,
	heartbeat  BIGINT NULL,
	version    BIGINT NOT NULL DEFAULT 1,
	UNIQUE KEY status_jobs_id (id),
	KEY status_jobs_dataset (dataset, created),
	KEY status_jobs_resource (resource, created),
	KEY status_jobs_factory (factory_id),
	KEY status_jobs_running (status, heartbeat)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
