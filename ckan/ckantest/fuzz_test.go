package ckantest

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzConvertIn checks value conversion for every supported type: it never
// panics, and a converted value converts again to the same result (the
// canonical form is stable).
func FuzzConvertIn(f *testing.F) {
	for _, s := range []string{`"2020-01-01T10:00:00.5+02:00"`, `"1.10"`, `12`, `"abc"`, `true`, `["a","b"]`, `{"k":1}`, `"1e5"`, `""`, `null`, `"12/31/2020"`, `"-.5"`} {
		f.Add("numeric", s)
		f.Add("timestamp", s)
		f.Add("int4", s)
		f.Add("_text", s)
	}
	f.Fuzz(func(t *testing.T, typ, value string) {
		ct, ok := parseType(typ)
		if !ok {
			return
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(value))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			return
		}
		out, err := convertIn(ct, v)
		if err != nil || out == nil || ct.array || ct.isJSON() {
			return
		}
		var again any
		switch x := out.(type) {
		case string:
			again, err = convertIn(ct, x)
		case int64:
			again, err = convertIn(ct, json.Number(jsonText(x)))
		default:
			return
		}
		if err != nil {
			t.Fatalf("%s %q: canonical %v does not convert again: %v", typ, value, out, err)
		}
		if again != out {
			t.Fatalf("%s %q: %v then %v", typ, value, out, again)
		}
	})
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }
