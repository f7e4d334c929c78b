package httpsource

// Secret is a credential: a bearer token, a password, an API key. It prints
// as "[redacted]" with every fmt verb and in JSON, so it can sit in structs
// that are logged or wrapped in errors; string(s) gives the value.
type Secret string

// redacted is what a Secret prints as.
const redacted = "[redacted]"

// String returns "[redacted]".
func (Secret) String() string { return redacted }

// GoString returns "[redacted]", for %#v.
func (Secret) GoString() string { return redacted }

// MarshalText returns "[redacted]", so encoding/json and others never
// write the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
