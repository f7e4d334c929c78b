package sqlstore

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendDateTimeMatchesFormat: the hand-written formats equal
// time.Format's, for random instants in and out of 1…9999, in UTC and in
// another zone.
func TestAppendDateTimeMatchesFormat(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zone := time.FixedZone("x", -(3*3600 + 1800))
	cases := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(0, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2015, 1, 1, 0, 1, 0, 120000000, zone), time.Date(2015, 1, 1, 0, 1, 0, 1000, time.UTC),
	}
	for range 2000 {
		cases = append(cases, time.Unix(rng.Int64N(400_000_000_000)-62_000_000_000, rng.Int64N(1e9)).In(zone))
	}
	for _, c := range cases {
		for _, mysql := range []bool{false, true} {
			want := c.UTC().Format(layoutDateTime)
			if mysql {
				want = c.UTC().Format("2006-01-02 15:04:05.999999")
			}
			got, ok := appendDateTime([]byte("x"), c, mysql)
			if y := c.UTC().Year(); y < 1 || y > 9999 {
				if ok || string(got) != "x" {
					t.Fatalf("%v: year %d formatted: %q", c, y, got)
				}
				continue
			}
			if !ok || string(got) != "x"+want {
				t.Fatalf("%v (mysql %v): got %q, want %q", c, mysql, got, "x"+want)
			}
		}
	}
}
