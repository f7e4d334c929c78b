package storage

import (
	"strings"
	"unicode/utf8"
)

// MaxKeyLength is the longest key accepted, in bytes (the S3 and GCS limit).
const MaxKeyLength = 1024

// ValidateKey reports whether key is a portable object key: non-empty, at most
// [MaxKeyLength] bytes of valid UTF-8, relative (no leading "/"), made of
// "/"-separated non-empty segments that are neither "." nor "..", without a
// trailing "/", backslashes or control characters. The error is a [*KeyError].
func ValidateKey(key string) error {
	if key == "" {
		return &KeyError{Key: key, Reason: "is empty"}
	}
	if strings.HasSuffix(key, "/") {
		return &KeyError{Key: key, Reason: `ends with "/" (a prefix, not an object)`}
	}
	return validatePath(key)
}

// ValidatePrefix reports whether prefix is a usable listing prefix: "" (the
// whole bucket) or a valid key ending in "/", such as "dag/run/".
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if !strings.HasSuffix(prefix, "/") {
		return &KeyError{Key: prefix, Reason: `prefix must be empty or end with "/"`}
	}
	return validatePath(strings.TrimSuffix(prefix, "/"))
}

// ValidateName reports whether name is a single path segment, as used for DAG,
// run and task names: a valid key without "/".
func ValidateName(name string) error {
	if strings.Contains(name, "/") {
		return &KeyError{Key: name, Reason: `must be a single name without "/"`}
	}
	if name == "" {
		return &KeyError{Key: name, Reason: "is empty"}
	}
	return validatePath(name)
}

// validatePath checks a non-empty key without a trailing slash.
func validatePath(key string) error {
	if len(key) > MaxKeyLength {
		return &KeyError{Key: key, Reason: "is longer than 1024 bytes"}
	}
	if !utf8.ValidString(key) {
		return &KeyError{Key: key, Reason: "is not valid UTF-8"}
	}
	if strings.HasPrefix(key, "/") {
		return &KeyError{Key: key, Reason: "is an absolute path"}
	}
	for _, r := range key {
		switch {
		case r == '\\':
			return &KeyError{Key: key, Reason: "contains a backslash"}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return &KeyError{Key: key, Reason: "contains a control character"}
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return &KeyError{Key: key, Reason: "contains an empty segment"}
		case ".", "..":
			return &KeyError{Key: key, Reason: `contains a "` + seg + `" segment`}
		}
	}
	return nil
}

// joinKey joins a validated directory prefix ("" or ending in "/") and a
// relative name, refusing names that are invalid keys (which includes every
// way of escaping the prefix: "..", absolute paths, empty segments).
func joinKey(prefix, name string) (string, error) {
	if err := ValidateKey(name); err != nil {
		return "", err
	}
	key := prefix + name
	if len(key) > MaxKeyLength {
		return "", &KeyError{Key: key, Reason: "is longer than 1024 bytes"}
	}
	return key, nil
}
