package pipeline

import (
	"math"
	"math/rand/v2"
	"time"
)

// RetryPolicy decides whether a failed attempt is retried and after how long.
// attempt is the 1-based number of the attempt that just failed. Errors
// wrapped by [Permanent] never reach the policy.
type RetryPolicy interface {
	NextRetry(attempt int, err error) (delay time.Duration, retry bool)
}

// RetryPolicyFunc adapts a function to [RetryPolicy].
type RetryPolicyFunc func(attempt int, err error) (time.Duration, bool)

// NextRetry calls f.
func (f RetryPolicyFunc) NextRetry(attempt int, err error) (time.Duration, bool) {
	return f(attempt, err)
}

// NoRetry never retries. It is the default policy of a task, as in
// data-flow's DAGs (retries 0).
func NoRetry() RetryPolicy {
	return RetryPolicyFunc(func(int, error) (time.Duration, bool) { return 0, false })
}

// ExponentialBackoff retries up to MaxAttempts attempts in total, waiting
// Initial × Multiplier^(attempt-1), capped at Max, with ±Jitter of random
// spread between attempts.
type ExponentialBackoff struct {
	// MaxAttempts is the total number of attempts, including the first.
	// Default 3.
	MaxAttempts int
	// Initial is the wait after the first failure. Default 1s.
	Initial time.Duration
	// Max caps each wait. Default 10m.
	Max time.Duration
	// Multiplier grows the wait per attempt. Default 2.
	Multiplier float64
	// Jitter is the random spread as a fraction of the wait, in [0,1]:
	// the wait is multiplied by a factor in [1-Jitter, 1+Jitter]. Default 0
	// (no jitter); DefaultRetryPolicy uses 0.2.
	Jitter float64
	// Rand returns a number in [0,1) for the jitter. Default math/rand/v2.
	Rand func() float64
}

// DefaultRetryPolicy returns 3 attempts with exponential backoff from 1s,
// doubling, capped at 10 minutes, with 20% jitter.
func DefaultRetryPolicy() *ExponentialBackoff {
	return &ExponentialBackoff{MaxAttempts: 3, Initial: time.Second, Max: 10 * time.Minute, Multiplier: 2, Jitter: 0.2}
}

// NextRetry implements [RetryPolicy].
func (p *ExponentialBackoff) NextRetry(attempt int, _ error) (time.Duration, bool) {
	maxAttempts, initial, maxWait, mult := p.MaxAttempts, p.Initial, p.Max, p.Multiplier
	if maxAttempts <= 0 {
		maxAttempts = 3
	}
	if attempt >= maxAttempts {
		return 0, false
	}
	if initial <= 0 {
		initial = time.Second
	}
	if maxWait <= 0 {
		maxWait = 10 * time.Minute
	}
	if mult < 1 {
		mult = 2
	}
	d := float64(initial) * math.Pow(mult, float64(attempt-1))
	if j := math.Min(math.Max(p.Jitter, 0), 1); j > 0 {
		r := rand.Float64
		if p.Rand != nil {
			r = p.Rand
		}
		d *= 1 - j + 2*j*r()
	}
	if d > float64(maxWait) {
		d = float64(maxWait)
	}
	return time.Duration(d), true
}
