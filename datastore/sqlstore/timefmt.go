package sqlstore

import "time"

// appendDateTime appends t (taken in UTC) as SQLite stores datetimes,
// layoutDateTime ("2006-01-02T15:04:05.000000Z"), or, with mysql set, as
// LOAD DATA takes them ("2006-01-02 15:04:05.999999": no fraction when
// it is zero, no trailing zeros). It formats by hand: time.Format costs
// a tenth of a load's CPU. ok is false (and b unchanged) for a year
// outside 1…9999, which the caller formats the slow way.
func appendDateTime(b []byte, t time.Time, mysql bool) (_ []byte, ok bool) {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return b, false
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	if mysql {
		b = append(b, ' ')
	} else {
		b = append(b, 'T')
	}
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	micro := t.Nanosecond() / 1000
	if !mysql {
		b = append(b, '.')
		b = appendDigits(b, micro, 6)
		return append(b, 'Z'), true
	}
	if micro == 0 {
		return b, true
	}
	digits := 6
	for micro%10 == 0 {
		micro /= 10
		digits--
	}
	b = append(b, '.')
	return appendDigits(b, micro, digits), true
}

// appendDigits appends n (≥ 0, < 10^width) with leading zeros to width.
func appendDigits(b []byte, n, width int) []byte {
	var buf [8]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, buf[:width]...)
}
