package upstream

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryAfterReadsEveryFormProvidersSend(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"seconds", http.Header{"Retry-After": {"12"}}, 12 * time.Second},
		{"spaces", http.Header{"Retry-After": {" 3 "}}, 3 * time.Second},
		{"HTTP date", http.Header{"Retry-After": {"Thu, 26 Nov 2026 12:01:30 GMT"}}, 90 * time.Second},
		{"date passed", http.Header{"Retry-After": {"Thu, 26 Nov 2026 11:00:00 GMT"}}, 0},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-5"}}, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"huge", http.Header{"Retry-After": {"99999999999999999"}}, 24 * time.Hour},
		{"milliseconds first", http.Header{"Retry-After-Ms": {"1500.5"}, "Retry-After": {"2"}}, 1500*time.Millisecond + 500*time.Microsecond},
		{"bad milliseconds fall back", http.Header{"Retry-After-Ms": {"NaN"}, "Retry-After": {"2"}}, 2 * time.Second},
		{"infinite milliseconds fall back", http.Header{"Retry-After-Ms": {"+Inf"}}, 0},
		{"huge milliseconds", http.Header{"Retry-After-Ms": {"1e300"}}, 24 * time.Hour},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, retryAfter(c.header, now), c.name)
	}
}

func TestRoundUpNeverPromisesTooEarly(t *testing.T) {
	assert.Equal(t, time.Second, roundUp(time.Millisecond))
	assert.Equal(t, 3*time.Second, roundUp(2500*time.Millisecond))
	assert.Equal(t, 2*time.Second, roundUp(2*time.Second))
}
