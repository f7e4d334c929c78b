package ckan

import "log/slog"

// redacted replaces a secret wherever it would be printed.
const redacted = "[redacted]"

// Secret holds an API token. It prints, logs and marshals as "[redacted]"
// so a token never reaches a log line, an error or stored configuration;
// read the value with [Secret.Reveal] when it must be sent.
type Secret string

// String returns "[redacted]" (or "" for an empty secret).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the redacted form for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue makes slog print the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText writes the redacted form, so JSON, YAML and similar
// encodings of a configuration never contain the token.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a token from configuration.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(b)
	return nil
}

// Reveal returns the token itself.
func (s Secret) Reveal() string { return string(s) }
