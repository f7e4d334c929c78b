package ckan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy decides whether a request is retried after an attempt that
// gave resp (nil on a transport error) or err. Returning a non-nil error
// stops retrying with that error.
type RetryPolicy func(ctx context.Context, resp *http.Response, err error) (bool, error)

// Backoff returns how long to wait before attempt number attempt (0 for the
// first retry), given the last response (nil on a transport error).
type Backoff func(min, max time.Duration, attempt int, resp *http.Response) time.Duration

// DefaultRetryPolicy retries network errors, 429 and every 5xx. It never
// retries a 4xx (CKAN's 400/403/404/409 are permanent answers) and stops as
// soon as the context is done.
func DefaultRetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		return true, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return true, nil
	}
	return false, nil
}

// DefaultBackoff doubles the wait from min on each attempt, capped at max.
// A Retry-After header (seconds or an HTTP date) on a 429 or 5xx answer
// replaces the computed wait, still capped at max.
func DefaultBackoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) {
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return clampDuration(d, 0, max)
		}
	}
	wait := float64(min) * math.Pow(2, float64(attempt))
	if wait > float64(max) || math.IsInf(wait, 0) {
		return max
	}
	return time.Duration(wait)
}

// retryAfter parses a Retry-After value.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

func clampDuration(d, lo, hi time.Duration) time.Duration {
	return min(max(d, lo), hi)
}

// retryTransport is an http.RoundTripper that retries according to policy.
// Request bodies are replayed through Request.GetBody. Tests replace sleep.
type retryTransport struct {
	base             http.RoundTripper
	max              int
	waitMin, waitMax time.Duration
	logger           *slog.Logger
	sleep            func(ctx context.Context, d time.Duration) error
	policy           RetryPolicy
	backoffF         Backoff
}

// RoundTrip sends req, retrying as the policy says. When the retries run
// out on a retryable status, the last response is returned so the caller
// can decode CKAN's error body; on transport errors the last error is
// returned, wrapped with the attempt count.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r, err := t.prepare(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(r)
		retry, perr := t.policy(ctx, resp, err)
		if perr != nil {
			closeBody(resp)
			return nil, perr
		}
		if !retry {
			return resp, err
		}
		if attempt >= t.max {
			if err != nil {
				return nil, fmt.Errorf("giving up after %d attempts: %w", attempt+1, err)
			}
			return resp, nil
		}
		wait := t.backoffF(t.waitMin, t.waitMax, attempt, resp)
		t.logger.DebugContext(ctx, "ckan request will be retried",
			slog.String("path", req.URL.Path), slog.Int("attempt", attempt+1),
			slog.Duration("wait", wait), slog.Any("status", statusOf(resp)))
		closeBody(resp)
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// prepare returns the request for an attempt, with a fresh body after the
// first.
func (t *retryTransport) prepare(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 0 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("request body cannot be replayed for a retry")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("replay request body: %w", err)
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// closeBody drains and closes a response body that will not be returned.
func closeBody(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
