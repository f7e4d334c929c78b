package frictionless

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// jsonObject is a descriptor object being decoded: known properties are
// taken out one by one; what remains are the unknown ones, kept in Extra.
type jsonObject struct {
	m    map[string]json.RawMessage
	path string
}

// parseObject decodes data as a JSON object.
func parseObject(data []byte, path string) (*jsonObject, error) {
	var m map[string]json.RawMessage
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, descErr(path, "must be a JSON object")
	}
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return nil, descErr(path, "invalid JSON: %v", err)
	}
	return &jsonObject{m: m, path: path}, nil
}

// take removes key and returns its raw value; JSON null counts as absent.
func (o *jsonObject) take(key string) (json.RawMessage, bool) {
	raw, ok := o.m[key]
	if !ok {
		return nil, false
	}
	delete(o.m, key)
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil, false
	}
	return raw, true
}

func (o *jsonObject) keyPath(key string) string { return joinPath(o.path, key) }

// str decodes an optional string property.
func (o *jsonObject) str(key string, dst *string) error {
	raw, ok := o.take(key)
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return descErr(o.keyPath(key), "must be a string")
	}
	return nil
}

// boolean decodes an optional boolean property.
func (o *jsonObject) boolean(key string, dst *bool) error {
	raw, ok := o.take(key)
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return descErr(o.keyPath(key), "must be true or false")
	}
	return nil
}

// boolPtr decodes an optional boolean property into a pointer.
func (o *jsonObject) boolPtr(key string, dst **bool) error {
	var b bool
	raw, ok := o.take(key)
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return descErr(o.keyPath(key), "must be true or false")
	}
	*dst = &b
	return nil
}

// integer decodes an optional integer property.
func (o *jsonObject) integer(key string, dst *int64) error {
	raw, ok := o.take(key)
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return descErr(o.keyPath(key), "must be an integer")
	}
	return nil
}

// intPtr decodes an optional integer property into a pointer.
func (o *jsonObject) intPtr(key string, dst **int) error {
	raw, ok := o.take(key)
	if !ok {
		return nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err != nil {
		return descErr(o.keyPath(key), "must be an integer")
	}
	*dst = &n
	return nil
}

// strings decodes an optional array of strings; with single set, a lone
// string is accepted as a one-element array.
func (o *jsonObject) strings(key string, dst *[]string, single bool) error {
	raw, ok := o.take(key)
	if !ok {
		return nil
	}
	return decodeStrings(raw, o.keyPath(key), dst, single)
}

func decodeStrings(raw json.RawMessage, path string, dst *[]string, single bool) error {
	if single {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			*dst = []string{s}
			return nil
		}
	}
	var list []any
	if err := json.Unmarshal(raw, &list); err != nil {
		if single {
			return descErr(path, "must be a string or an array of strings")
		}
		return descErr(path, "must be an array of strings")
	}
	out := make([]string, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return descErr(indexPath(path, i), "must be a string")
		}
		out[i] = s
	}
	*dst = out
	return nil
}

// array decodes an optional array property into its raw elements.
func (o *jsonObject) array(key string) ([]json.RawMessage, bool, error) {
	raw, ok := o.take(key)
	if !ok {
		return nil, false, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, false, descErr(o.keyPath(key), "must be an array")
	}
	return list, true, nil
}

// rest returns the unknown properties left, nil when none.
func (o *jsonObject) rest() map[string]json.RawMessage {
	if len(o.m) == 0 {
		return nil
	}
	out := make(map[string]json.RawMessage, len(o.m))
	for k, v := range o.m {
		out[k] = v
	}
	return out
}

// objWriter writes a JSON object with known properties first, in a fixed
// order, then unknown ones sorted by name.
type objWriter struct {
	buf  bytes.Buffer
	keys map[string]bool
	err  error
}

func newObjWriter() *objWriter {
	w := &objWriter{keys: map[string]bool{}}
	w.buf.WriteByte('{')
	return w
}

// raw writes key with an already encoded value.
func (w *objWriter) raw(key string, v []byte) {
	if w.keys[key] {
		return
	}
	if len(w.keys) > 0 {
		w.buf.WriteByte(',')
	}
	w.keys[key] = true
	k, _ := json.Marshal(key)
	w.buf.Write(k)
	w.buf.WriteByte(':')
	w.buf.Write(v)
}

// value writes key with v encoded as JSON.
func (w *objWriter) value(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("encode %s: %w", key, err)
		}
		return
	}
	w.raw(key, b)
}

// str writes a non-empty string.
func (w *objWriter) str(key, v string) {
	if v != "" {
		w.value(key, v)
	}
}

// extra writes the unknown properties, skipping names already written.
func (w *objWriter) extra(m map[string]json.RawMessage) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var c bytes.Buffer
		if err := json.Compact(&c, m[k]); err != nil {
			if w.err == nil {
				w.err = fmt.Errorf("encode %s: invalid JSON in Extra: %w", k, err)
			}
			continue
		}
		w.raw(k, c.Bytes())
	}
}

// bytes closes the object and returns it.
func (w *objWriter) bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	w.buf.WriteByte('}')
	return w.buf.Bytes(), nil
}

// isURL reports whether s is an http or https URL.
func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
