package connection

import "github.com/datafactory/datafactory/ckan"

// Secret is a password, token or URL with a password in it. It prints, logs
// and marshals as "[redacted]"; [Secret.Reveal] returns the value. It is the
// same type as [ckan.Secret], so a CKAN site's key passes through unchanged.
type Secret = ckan.Secret
