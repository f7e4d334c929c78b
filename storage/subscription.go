package storage

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// DefaultSettle is the default [SubscriptionOptions.Settle].
const DefaultSettle = time.Hour

// SubscriptionOptions narrows a subscription. A nil *SubscriptionOptions
// means defaults.
type SubscriptionOptions struct {
	// StartKey is the smallest full key delivered (inclusive). Default "": no
	// lower bound.
	StartKey string
	// EndKey is the first full key no longer delivered (exclusive). Default
	// "": no upper bound.
	EndKey string
	// Pattern is an RE2 regular expression matched against the key relative
	// to the subscription prefix (unanchored: use ^ and $ to anchor).
	// Default "": every name.
	Pattern string
	// Settle is how long after its modification time an object may still
	// first appear in a listing: the longest upload plus clock skew between
	// writers and this process. The cursor remembers only objects modified
	// within Settle of the newest one, so it stays small; an object that
	// becomes visible later than Settle after its modification time is not
	// delivered. Default (0): [DefaultSettle]. Negative: remember every key
	// (exact, but the cursor grows with the prefix).
	Settle time.Duration
	// Now is the clock. Default (nil): time.Now.
	Now func() time.Time
}

// Subscription delivers the objects under a prefix that it has not delivered
// before, tracked by a [Cursor] the caller persists. It holds no state of its
// own, so one Subscription may serve many cursors.
type Subscription struct {
	b      *Bucket
	prefix string
	start  string
	end    string
	re     *regexp.Regexp
	settle time.Duration
	now    func() time.Time
}

// Subscribe returns a subscription to the objects whose keys start with
// prefix (see [Bucket.List] for the prefix rules).
func (b *Bucket) Subscribe(prefix string, opts *SubscriptionOptions) (*Subscription, error) {
	if err := validateListPrefix(prefix); err != nil {
		return nil, err
	}
	var o SubscriptionOptions
	if opts != nil {
		o = *opts
	}
	s := &Subscription{b: b, prefix: prefix, start: o.StartKey, end: o.EndKey, settle: o.Settle, now: o.Now}
	if s.settle == 0 {
		s.settle = DefaultSettle
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.end != "" && s.start >= s.end {
		return nil, fmt.Errorf("storage: subscription: StartKey %q is not before EndKey %q", s.start, s.end)
	}
	if o.Pattern != "" {
		re, err := regexp.Compile(o.Pattern)
		if err != nil {
			return nil, fmt.Errorf("storage: subscription: Pattern: %w", err)
		}
		s.re = re
	}
	return s, nil
}

// Prefix returns the subscribed prefix.
func (s *Subscription) Prefix() string { return s.prefix }

// Cursor is what a subscription remembers between polls. It is a small
// JSON-serialisable value the caller persists after handling a poll's
// objects; the zero Cursor delivers everything that exists.
//
// Every object modified before Horizon counts as delivered; Seen holds the
// key and [Object.Fingerprint] of each delivered object modified at or after
// Horizon. Horizon trails the newest modification time seen (capped by the
// clock) by Settle, and Seen is rebuilt from each listing, so the cursor
// holds only the objects of the last Settle period, however large the bucket
// grows, while keys that arrive out of order are still caught.
type Cursor struct {
	// Horizon: objects modified before it count as delivered.
	Horizon time.Time `json:"horizon,omitzero"`
	// Seen maps key to fingerprint for delivered objects modified at or after Horizon.
	Seen map[string]string `json:"seen,omitempty"`
}

// Poll lists the prefix and returns, in key order, the matching objects that
// cur has not delivered (new keys, and keys re-uploaded with a different
// fingerprint), plus the cursor to persist once they are handled. Poll
// does not change cur. Persisting the returned cursor together with the
// handling of the objects gives exactly-once delivery across restarts.
//
// Each poll lists the whole prefix (time grows with the prefix); memory
// holds only the objects modified within Settle of the newest one.
func (s *Subscription) Poll(ctx context.Context, cur Cursor) ([]Object, Cursor, error) {
	var (
		fresh   []Object
		recent  []Object // objects at or after the old horizon
		newest  time.Time
		horizon = cur.Horizon
	)
	for o, err := range s.b.List(ctx, s.prefix) {
		if err != nil {
			return nil, cur, err // names the op and prefix already
		}
		if !s.match(o.Key) {
			continue
		}
		if o.ModTime.After(newest) {
			newest = o.ModTime
		}
		if o.ModTime.Before(horizon) {
			continue // delivered long ago
		}
		recent = append(recent, o)
		if fp, ok := cur.Seen[o.Key]; ok && fp == o.Fingerprint() {
			continue
		}
		fresh = append(fresh, o)
	}
	next := Cursor{Horizon: horizon}
	if s.settle > 0 {
		if now := s.now(); newest.After(now) {
			newest = now
		}
		if h := newest.Add(-s.settle); h.After(next.Horizon) {
			next.Horizon = h
		}
	}
	next.Seen = make(map[string]string)
	for _, o := range recent {
		if !o.ModTime.Before(next.Horizon) {
			next.Seen[o.Key] = o.Fingerprint()
		}
	}
	return fresh, next, nil
}

// match applies the key range and the name pattern.
func (s *Subscription) match(key string) bool {
	if key < s.start || (s.end != "" && key >= s.end) {
		return false
	}
	if s.re != nil && !s.re.MatchString(strings.TrimPrefix(key, s.prefix)) {
		return false
	}
	return true
}
