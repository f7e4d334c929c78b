// Package metrics is datafactory's Prometheus instrumentation
// (github.com/prometheus/client_golang): rows read, written and rejected
// per table, load and task durations, finished runs by pipeline and state,
// and HTTP requests by route and code. One [Metrics] holds its own
// registry, so two services in one process never share counters; its
// [Metrics.Handler] serves the text exposition format at /metrics.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/datafactory/datafactory/datastore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one set of collectors in its own registry.
type Metrics struct {
	reg      *prometheus.Registry
	rows     *prometheus.CounterVec
	loadDur  *prometheus.HistogramVec
	taskDur  *prometheus.HistogramVec
	runs     *prometheus.CounterVec
	requests *prometheus.CounterVec
}

// New registers every collector, with the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "datafactory_rows_total",
			Help: "Rows loaded, by table and outcome (read, written, rejected)."}, []string{"table", "outcome"}),
		loadDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "datafactory_load_duration_seconds",
			Help: "Duration of table loads.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)}, []string{"table"}),
		taskDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "datafactory_task_duration_seconds",
			Help: "Duration of task attempts, by pipeline, task and state.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 10)},
			[]string{"pipeline", "task", "state"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "datafactory_runs_total",
			Help: "Finished runs, by pipeline and final state."}, []string{"pipeline", "state"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "datafactory_http_requests_total",
			Help: "HTTP requests, by route pattern and status code."}, []string{"route", "code"}),
	}
	m.reg.MustRegister(m.rows, m.loadDur, m.taskDur, m.runs, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the collectors live, to add your own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus' exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveLoad counts a finished load's rows and its duration. A nil report
// (a load that failed before it began) counts nothing.
func (m *Metrics) ObserveLoad(rep *datastore.LoadReport) {
	if rep == nil {
		return
	}
	m.ObserveRows(rep.Table, rep.Read, rep.Written, rep.Rejected)
	m.loadDur.WithLabelValues(rep.Table).Observe(rep.Duration.Seconds())
}

// ObserveRows counts rows that reached a table other than by a load (the
// ingest API's batches): read = written + rejected.
func (m *Metrics) ObserveRows(table string, read, written, rejected int64) {
	m.rows.WithLabelValues(table, "read").Add(float64(read))
	m.rows.WithLabelValues(table, "written").Add(float64(written))
	m.rows.WithLabelValues(table, "rejected").Add(float64(rejected))
}

// ObserveTask records one task attempt's duration and final state.
func (m *Metrics) ObserveTask(pipeline, task, state string, d time.Duration) {
	m.taskDur.WithLabelValues(pipeline, task, state).Observe(d.Seconds())
}

// ObserveRun counts a finished run by its final state.
func (m *Metrics) ObserveRun(pipeline, state string) {
	m.runs.WithLabelValues(pipeline, state).Inc()
}

// Wrap counts every request h serves by the route pattern the mux matched
// ("unmatched" when none did: the path of a request is hostile and never
// becomes a label) and its status code.
func (m *Metrics) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &codeWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(cw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(cw.code)).Inc()
	})
}

// codeWriter remembers the status code of a response.
type codeWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (c *codeWriter) WriteHeader(code int) {
	if !c.wrote {
		c.code, c.wrote = code, true
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *codeWriter) Write(b []byte) (int, error) {
	c.wrote = true
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (flush,
// deadlines).
func (c *codeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
