package cli

import (
	"encoding/json"
	"net/url"
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
