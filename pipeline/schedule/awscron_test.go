package schedule_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datafactory/datafactory/pipeline/schedule"
)

func TestAWSCron(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		spec string
		from string
		want []string // the next fire times
	}{
		// 2026-12-05 is a Saturday.
		{"0 12 ? * MON-FRI *", "2026-12-05T00:00:00Z", []string{"2026-12-07T12:00:00Z", "2026-12-08T12:00:00Z"}},
		{"cron(0 12 ? * MON-FRI *)", "2026-12-07T12:00:00Z", []string{"2026-12-08T12:00:00Z"}},
		{"0 12 ? * 2-6 *", "2026-12-05T00:00:00Z", []string{"2026-12-07T12:00:00Z"}}, // 2 = Monday
		{"0 8 ? * 1 *", "2026-12-05T00:00:00Z", []string{"2026-12-06T08:00:00Z"}},    // 1 = Sunday
		{"0 8 ? * 7,1 *", "2026-12-05T00:00:00Z", []string{"2026-12-05T08:00:00Z", "2026-12-06T08:00:00Z", "2026-12-12T08:00:00Z"}},
		{"15 10 1 * ? *", "2026-12-05T00:00:00Z", []string{"2027-01-01T10:15:00Z", "2027-02-01T10:15:00Z"}},
		{"0/30 * 5 DEC ? *", "2026-12-05T23:10:00Z", []string{"2026-12-05T23:30:00Z", "2027-12-05T00:00:00Z"}},
		{"0 0 1 1 ? 2028-2029", "2026-12-05T00:00:00Z", []string{"2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z", "0001-01-01T00:00:00Z"}},
		{"0 9 ? JUL WED 2027", "2026-12-05T00:00:00Z", []string{"2027-07-07T09:00:00Z"}},
		{"5 4 * * *", "2026-12-05T00:00:00Z", []string{"2026-12-05T04:05:00Z"}}, // standard cron still works
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			t.Parallel()
			s, err := schedule.ParseSchedule(tt.spec)
			require.NoError(t, err)
			at := utc(tt.from)
			for _, w := range tt.want {
				at = s.Next(at)
				require.Equal(t, utc(w), at.UTC(), tt.spec)
			}
		})
	}
}

func TestAWSCronLeapYearsOnly(t *testing.T) {
	t.Parallel()
	s, err := schedule.ParseSchedule("0 0 29 2 ? 2028/4")
	require.NoError(t, err)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, y := range []int{2028, 2032, 2036} {
		at = s.Next(at)
		require.Equal(t, time.Date(y, 2, 29, 0, 0, 0, 0, time.UTC), at.UTC())
	}
}

func TestAWSCronRejects(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"0 12 * * MON-FRI *":  "exactly one of day-of-month",
		"0 12 ? * ? *":        "exactly one of day-of-month",
		"0 12 L * ? *":        "not supported",
		"0 12 15W * ? *":      "not supported",
		"0 12 ? * 6L *":       "not supported",
		"0 12 ? * 2#1 *":      "not supported",
		"0 12 ? * 8 *":        "outside 1-7",
		"0 12 ? * MON 1969":   "outside 1970-2199",
		"0 12 ? * MON 2030-x": "year",
		"cron(0 12 ? * MON *": "closing",
		"cron(0 12 ? * MON)":  "6 fields",
		"61 12 ? * MON *":     "",
	}
	for spec, want := range tests {
		_, err := schedule.ParseSchedule(spec)
		require.Error(t, err, spec)
		require.ErrorContains(t, err, want, spec)
	}
}
