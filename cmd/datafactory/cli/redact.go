package cli

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// redacted replaces secret values in echoed configuration.
const redacted = "[redacted]"

// secretKey reports whether a conf key names a secret (ckanext-aircan's conf
// carries ckan_config.api_key and the DataStore's write URL).
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"api_key", "apikey", "token", "password", "secret", "private_key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// redactConf returns conf with the values of secret keys, and the passwords
// of URLs, replaced, for answers and logs. The run itself gets the real conf.
func redactConf(conf json.RawMessage) json.RawMessage {
	var v any
	if err := json.Unmarshal(conf, &v); err != nil {
		return conf
	}
	out, err := json.Marshal(redactValue(v))
	if err != nil {
		return conf
	}
	return out
}

func redactValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretKey(k) {
				x[k] = redacted
			} else {
				x[k] = redactValue(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = redactValue(x[i])
		}
	case string:
		if u, err := url.Parse(x); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				return u.Redacted()
			}
		}
	}
	return v
}

// stripSecrets returns conf without its secrets: keys that name one
// (api_key, token, password, …) and strings holding a URL with a
// password (ckan_datastore_postgres_url) are removed, at any depth. It
// returns the removed keys as JSON pointers. Connectors such as
// ckanext-aircan put their credentials in a run's conf; runs store their
// conf, so the service drops them before a run is created and the
// pipeline takes its secrets from the environment.
func stripSecrets(conf json.RawMessage) (json.RawMessage, []string) {
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
			if secretKey(k) || urlWithPassword(val) {
				delete(x, k)
				*removed = append(*removed, at+"/"+k)
				continue
			}
			x[k] = stripValue(val, at+"/"+k, removed)
		}
	case []any:
		for i := range x {
			x[i] = stripValue(x[i], at+"/"+strconv.Itoa(i), removed)
		}
	}
	return v
}

// urlWithPassword reports whether v is a string holding a URL with a
// password.
func urlWithPassword(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return false
	}
	_, has := u.User.Password()
	return has
}
