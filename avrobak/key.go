package avrobak

import (
	"fmt"
	"strings"

	"github.com/datafactory/datafactory/storage"
)

// DefaultKeyPrefix is where backups named by a request or a task's params
// live in a bucket: a name "sales.avro" is the key "backups/sales.avro".
const DefaultKeyPrefix = "backups/"

// ConfinedKey returns the bucket key of the backup called name under prefix
// (a valid prefix ending in "/"; "" means [DefaultKeyPrefix]). name must be
// a valid relative key (see [storage.ValidateKey]): no "..", no leading
// "/", no control characters, no backslash; so the key never leaves the
// prefix. The error matches [storage.ErrInvalidKey].
func ConfinedKey(prefix, name string) (string, error) {
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	if err := storage.ValidatePrefix(prefix); err != nil || !strings.HasSuffix(prefix, "/") {
		return "", fmt.Errorf("avrobak: backup prefix: %w", storage.ErrInvalidKey)
	}
	if err := storage.ValidateKey(name); err != nil {
		return "", err
	}
	key := prefix + name
	if len(key) > storage.MaxKeyLength {
		return "", &storage.KeyError{Key: name, Reason: "is too long"}
	}
	return key, nil
}
