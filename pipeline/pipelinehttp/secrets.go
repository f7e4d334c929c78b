package pipelinehttp

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Redacted replaces secret values in echoed confs.
const Redacted = "[redacted]"

// secretWords are the parts of a key that make it name a secret, after
// lower-casing and turning "-" into "_".
var secretWords = []string{"authorization", "token", "password", "passwd", "secret", "api_key", "apikey", "private_key", "credential"}

// plainKeys end in "_key" but name no secret: schema and sort keys.
var plainKeys = map[string]bool{"primary_key": true, "foreign_key": true, "unique_key": true, "sort_key": true, "partition_key": true}

// SecretKey reports whether a conf key names a secret: case-insensitively,
// one holding authorization, token, password, passwd, secret, api_key,
// apikey, private_key or credential, or ending in "_key" (except
// primary_key, foreign_key, unique_key, sort_key and partition_key); "-"
// counts as "_".
func SecretKey(k string) bool {
	k = strings.ReplaceAll(strings.ToLower(k), "-", "_")
	for _, s := range secretWords {
		if strings.Contains(k, s) {
			return true
		}
	}
	return strings.HasSuffix(k, "_key") && !plainKeys[k]
}

// RedactConf returns conf with the values of secret keys, and the
// passwords of URLs, replaced by [Redacted], at any depth. A conf that is
// not JSON is returned as "{}".
func RedactConf(conf json.RawMessage) json.RawMessage {
	var v any
	if err := json.Unmarshal(conf, &v); err != nil {
		return json.RawMessage("{}")
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return json.RawMessage("{}")
	}
	return out
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if SecretKey(k) {
				x[k] = Redacted
			} else {
				x[k] = redactValue(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactValue(x[i])
		}
	case string:
		if urlWithPassword(x) {
			return Redacted
		}
	}
	return v
}

// StripSecrets returns conf without its secrets: the keys [SecretKey]
// names and the strings holding a URL with a password are removed, at any
// depth. It also returns the removed keys as JSON pointers, sorted.
// Connectors such as ckanext-aircan put credentials in a run's conf; the
// run and the status store get the stripped conf. A conf that is not JSON
// is returned unchanged.
func StripSecrets(conf json.RawMessage) (json.RawMessage, []string) {
	var v any
	if err := json.Unmarshal(conf, &v); err != nil {
		return conf, nil
	}
	var removed []string
	v = stripValue(v, "", &removed)
	if len(removed) == 0 {
		return conf, nil
	}
	out, err := json.Marshal(v)
	if err != nil {
		return conf, nil
	}
	sort.Strings(removed)
	return out, removed
}

func stripValue(v any, at string, removed *[]string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if SecretKey(k) || isURLWithPassword(val) {
				delete(x, k)
				*removed = append(*removed, at+"/"+pointerToken(k))
				continue
			}
			x[k] = stripValue(val, at+"/"+pointerToken(k), removed)
		}
	case []any:
		for i := 0; i < len(x); i++ {
			if isURLWithPassword(x[i]) {
				*removed = append(*removed, at+"/"+strconv.Itoa(i))
				x[i] = Redacted
				continue
			}
			x[i] = stripValue(x[i], at+"/"+strconv.Itoa(i), removed)
		}
	}
	return v
}

// pointerToken escapes a key for a JSON pointer (RFC 6901).
func pointerToken(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

func isURLWithPassword(v any) bool {
	s, ok := v.(string)
	return ok && urlWithPassword(s)
}

// urlWithPassword reports whether s is a URL with a password.
func urlWithPassword(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return false
	}
	_, has := u.User.Password()
	return has
}
