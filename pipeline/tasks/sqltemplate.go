package tasks

import (
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/datafactory/datafactory/pipeline"
	"github.com/datafactory/datafactory/pipeline/schedule"
)

// SQLDates are the values a sql task's statements see, all in UTC:
//
//	{{ .LogicalDate }}        the run's logical date (the scheduler's interval start)
//	{{ .DataIntervalStart }}  the start of the run's data interval
//	{{ .DataIntervalEnd }}    its end (excluded)
//
// A run fired by a cron trigger carries the trigger's interval (previous
// activation → the one that fired it, [pipeline.TaskContext.DataInterval]).
// Other runs (manual, event, runs API) have none: the interval then runs
// from the logical date to the next activation of params.schedule after
// it, or is empty without one.
//
// They are time.Time values, so their methods format and shift them:
// {{ .LogicalDate.Format "2006_01" }}, {{ (.DataIntervalEnd.AddDate 0 0 -1).Format "2006-01-02" }}.
type SQLDates struct {
	LogicalDate       time.Time
	DataIntervalStart time.Time
	DataIntervalEnd   time.Time
}

// NewSQLDates returns the dates of a run whose logical date is logical and
// that carries no data interval: the interval runs to sched's next
// activation, or is empty when sched is nil.
func NewSQLDates(logical time.Time, sched schedule.Schedule) SQLDates {
	logical = logical.UTC()
	end := logical
	if sched != nil {
		if next := sched.Next(logical); !next.IsZero() {
			end = next.UTC()
		}
	}
	return SQLDates{LogicalDate: logical, DataIntervalStart: logical, DataIntervalEnd: end}
}

// runSQLDates returns the dates of the run tc: its data interval when it
// has one, else the interval of the fallback schedule.
func runSQLDates(tc *pipeline.TaskContext, fallback schedule.Schedule) SQLDates {
	iv := tc.DataInterval()
	if iv.IsZero() {
		return NewSQLDates(tc.LogicalDate(), fallback)
	}
	return SQLDates{LogicalDate: tc.LogicalDate().UTC(), DataIntervalStart: iv.Start.UTC(), DataIntervalEnd: iv.End.UTC()}
}

// sqlTemplate is one parsed statement.
type sqlTemplate struct {
	src string
}

// errQuote: a value cannot be quoted safely.
var errQuote = errors.New("value holds a NUL character")

// sqlFuncs are the template functions: quoting only (besides text/template's
// built-ins, which reach no environment or file). Before a dialect is
// known they quote for SQLite, which is enough to check a template.
func sqlFuncs(d sqldialect.Dialect) template.FuncMap {
	return template.FuncMap{
		"ident":   func(v any) (string, error) { return quoteIdent(d, fmt.Sprint(v)) },
		"literal": func(v any) (string, error) { return quoteLiteral(d, fmt.Sprint(v)) },
	}
}

// parseSQLTemplate parses a statement and renders it once with sample
// dates, so a bad template fails when the task is built.
func parseSQLTemplate(src string) (*sqlTemplate, error) {
	t := &sqlTemplate{src: src}
	sample := NewSQLDates(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), nil)
	if _, err := t.render(sqldialect.SQLite, sample); err != nil {
		return nil, err
	}
	return t, nil
}

// render executes the statement with dates, quoting for dialect d. An
// unknown key (e.g. {{ .Conf }}) is an error.
func (t *sqlTemplate) render(d sqldialect.Dialect, dates SQLDates) (string, error) {
	tm, err := template.New("sql").Option("missingkey=error").Funcs(sqlFuncs(d)).Parse(t.src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := tm.Execute(&b, dates); err != nil {
		return "", err
	}
	return b.String(), nil
}

// quoteIdent quotes an identifier for dialect d ("name" with " doubled for
// PostgreSQL and SQLite, `name` with ` doubled for MySQL), so whatever it
// holds stays one identifier. In a sql task: {{ ident "v_" }}…; a name built
// from dates, e.g. {{ ident (printf "sales_%s" (.LogicalDate.Format "2006_01")) }}.
func quoteIdent(d sqldialect.Dialect, name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("identifier %q: %w or is empty", name, errQuote)
	}
	return d.Quote(name), nil
}

// quoteLiteral quotes a string literal for dialect d: '…' with ' doubled,
// and for MySQL (where a backslash escapes by default) backslashes doubled
// too. In a sql task: WHERE day >= {{ literal (.DataIntervalStart.Format "2006-01-02") }}.
func quoteLiteral(d sqldialect.Dialect, s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("literal: %w", errQuote)
	}
	if d == sqldialect.MySQL {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}
