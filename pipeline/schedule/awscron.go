package schedule

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// AWS cron years run from 1970 to 2199.
const (
	awsMinYear = 1970
	awsMaxYear = 2199
)

// parseAWSCron parses an AWS (EventBridge, dart) 6-field cron expression,
// "minutes hours day-of-month month day-of-week year", optionally written
// as "cron(...)". Exactly one of day-of-month and day-of-week is "?";
// day-of-week counts 1-7 from Sunday (or SUN-SAT); the year field takes
// *, a year, a range, a list or a step. L, W and # are not supported.
// Expressions are evaluated in UTC, as AWS does.
func parseAWSCron(spec string) (Schedule, error) {
	expr := strings.TrimSpace(spec)
	if inner, ok := strings.CutPrefix(expr, "cron("); ok {
		expr, ok = strings.CutSuffix(inner, ")")
		if !ok {
			return nil, errors.New("cron( without its closing )")
		}
	}
	f := strings.Fields(expr)
	if len(f) != 6 {
		return nil, fmt.Errorf("an AWS cron expression has 6 fields, not %d", len(f))
	}
	if unsupportedDayOp(f[2], f[4]) {
		return nil, errors.New("the L, W and # operators are not supported")
	}
	domAny, dowAny := f[2] == "?", f[4] == "?"
	if domAny == dowAny {
		return nil, errors.New("exactly one of day-of-month (field 3) and day-of-week (field 5) must be ?")
	}
	dom, dow := f[2], f[4]
	if domAny {
		dom = "*"
		d, err := shiftWeekdays(dow)
		if err != nil {
			return nil, err
		}
		dow = d
	} else {
		dow = "*"
	}
	inner, err := cron.ParseStandard("CRON_TZ=UTC " + strings.Join([]string{f[0], f[1], dom, f[3], dow}, " "))
	if err != nil {
		return nil, err
	}
	years, err := parseYears(f[5])
	if err != nil {
		return nil, err
	}
	return awsSchedule{inner: inner, years: years}, nil
}

// unsupportedDayOp reports AWS's L, W and # in the day fields (day-of-week
// names such as WED or SAT are fine).
func unsupportedDayOp(dom, dow string) bool {
	if strings.ContainsAny(strings.ToUpper(dom), "LW#") || strings.Contains(dow, "#") {
		return true
	}
	dow = strings.ToUpper(dow)
	for i := 0; i < len(dow); i++ {
		if dow[i] == 'L' && (i == 0 || (dow[i-1] >= '0' && dow[i-1] <= '9')) {
			return true
		}
	}
	return false
}

// shiftWeekdays turns AWS's day-of-week numbers (1 = Sunday … 7 =
// Saturday) into standard cron's (0 = Sunday … 6); names stay as they are.
func shiftWeekdays(field string) (string, error) {
	parts := strings.Split(field, ",")
	for i, p := range parts {
		rng, step, hasStep := strings.Cut(p, "/")
		lo, hi, isRange := strings.Cut(rng, "-")
		var err error
		if lo, err = shiftWeekday(lo); err != nil {
			return "", err
		}
		if isRange {
			if hi, err = shiftWeekday(hi); err != nil {
				return "", err
			}
			lo += "-" + hi
		}
		if hasStep {
			lo += "/" + step
		}
		parts[i] = lo
	}
	return strings.Join(parts, ","), nil
}

func shiftWeekday(s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s, nil // "*" or a name
	}
	if n < 1 || n > 7 {
		return "", fmt.Errorf("day-of-week %d is outside 1-7 (1 = Sunday)", n)
	}
	return strconv.Itoa(n - 1), nil
}

// parseYears returns the allowed years, nil for every year.
func parseYears(field string) (map[int]bool, error) {
	if field == "*" {
		return nil, nil
	}
	years := map[int]bool{}
	for _, p := range strings.Split(field, ",") {
		rng, stepS, hasStep := strings.Cut(p, "/")
		lo, hi := awsMinYear, awsMaxYear
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = strconv.Atoi(a); err != nil {
				return nil, fmt.Errorf("year %q: %w", p, err)
			}
			hi = lo
			if isRange {
				if hi, err = strconv.Atoi(b); err != nil {
					return nil, fmt.Errorf("year %q: %w", p, err)
				}
			} else if hasStep {
				hi = awsMaxYear
			}
		}
		step := 1
		if hasStep {
			var err error
			if step, err = strconv.Atoi(stepS); err != nil || step < 1 {
				return nil, fmt.Errorf("year %q: bad step", p)
			}
		}
		if lo < awsMinYear || hi > awsMaxYear || lo > hi {
			return nil, fmt.Errorf("year %q: outside %d-%d", p, awsMinYear, awsMaxYear)
		}
		for y := lo; y <= hi; y += step {
			years[y] = true
		}
	}
	return years, nil
}

// awsSchedule is a standard schedule restricted to some years.
type awsSchedule struct {
	inner cron.Schedule
	years map[int]bool // nil: every year
}

// Next implements [Schedule]; it returns the zero time when no allowed
// year is left.
func (s awsSchedule) Next(t time.Time) time.Time {
	for {
		n := s.inner.Next(t)
		if n.IsZero() || n.Year() > awsMaxYear {
			return time.Time{}
		}
		if s.years == nil || s.years[n.Year()] {
			return n
		}
		// Jump to the end of that year.
		t = time.Date(n.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
	}
}
