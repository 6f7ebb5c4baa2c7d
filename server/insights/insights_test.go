package insights_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/authlimit"
	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/store"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// openLog opens a decision log of the test's own, closed at its end.
func openLog(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "log.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// newHandler logs three answers (two yesterday, one an hour ago) and serves
// the store's reports; requests carrying "Bearer admin" are admins.
func newHandler(t *testing.T) *insights.Handler {
	t.Helper()
	s := openLog(t)
	cands := []router.Candidate{
		{Model: "big", Eligible: true, Quality: .9, ExpectedCost: .01},
		{Model: "small", Eligible: true, Quality: .89, ExpectedCost: .002},
	}
	for i, at := range []time.Time{now.Add(-25 * time.Hour), now.Add(-24 * time.Hour), now.Add(-time.Hour)} {
		s.Log().Record(router.Record{
			RequestID: string(rune('a' + i)), Time: at, API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "model-router", Mode: router.ModeBalanced, ChosenID: "small", Candidates: cands},
			Answered: "small", Status: 200, Usage: router.Usage{PromptTokens: 10, CompletionTokens: 5}, CostUSD: .0015,
		})
	}
	require.NoError(t, s.Log().Flush(context.Background()))
	h := insights.New(s.Reports(), func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer admin" })
	h.Now = func() time.Time { return now }
	return h
}

func get(t *testing.T, h http.Handler, target, auth string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestEndpointsAreAdminOnly(t *testing.T) {
	h := newHandler(t)
	for _, path := range []string{insights.ReportPath, insights.TimelinePath} {
		for _, auth := range []string{"", "Bearer client-key"} {
			rec := get(t, h, path, auth)
			assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s with %q", path, auth)
			assert.JSONEq(t, `{"error":{"message":"the router's reports need an admin key: send Authorization: Bearer <admin key> or api-key: <admin key>",
				"type":"authentication_error","param":null,"code":"unauthorized"}}`, rec.Body.String())
		}
	}
}

// With no admin key configured (no authorize function) the reports are
// off: every call gets 403 naming the setting, whatever key it sends, and
// none counts as a wrong admin key, so no number of calls brings a 429.
func TestWithoutAnAdminKeyTheReportsAreOffAndNoKeyCounts(t *testing.T) {
	h := insights.New(nil, nil)
	h.AuthLimit = authlimit.New(authlimit.Config{})
	for i := range 30 {
		for _, path := range []string{insights.ReportPath, insights.TimelinePath} {
			rec := get(t, h, path, "Bearer not-an-admin-key")
			require.Equal(t, http.StatusForbidden, rec.Code, "%s, call %d: %s", path, i+1, rec.Body)
			var body struct {
				Error struct{ Type, Code, Message string }
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Equal(t, insights.CodeDisabled, body.Error.Code)
			assert.Contains(t, body.Error.Message, "MODELROUTER_ADMIN_KEY")
			assert.True(t, strings.HasPrefix(body.Error.Message, "The router's report API is off because"), body.Error.Message)
		}
	}
}

func TestReportEndpoint(t *testing.T) {
	h := newHandler(t)
	rec := get(t, h, insights.ReportPath+"?since=2d&deployment=model-router", "Bearer admin")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var rep store.Report
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
	assert.Equal(t, int64(3), rep.Total.Requests)
	assert.InDelta(t, .0045, rep.Total.CostUSD, 1e-12)
	assert.InDelta(t, 3*(.01-.002), rep.Total.SavingsStrongest, 1e-12)
	require.NotNil(t, rep.Since)
	assert.Equal(t, now.Add(-48*time.Hour), *rep.Since)

	rec = get(t, h, insights.ReportPath+"?since=2026-03-09&until=2026-03-09&by=day", "Bearer admin")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
	require.Len(t, rep.Rows, 1, "a date-only until includes that day")
	assert.Equal(t, "2026-03-09", rep.Rows[0].Day)
	assert.Equal(t, int64(2), rep.Rows[0].Requests)
}

func TestTimelineEndpoint(t *testing.T) {
	h := newHandler(t)
	rec := get(t, h, insights.TimelinePath+"?bucket=1d", "Bearer admin")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var tl insights.Timeline
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tl))
	assert.Equal(t, now.Add(-insights.DefaultTimelineSpan), tl.Since, "the default range is the last week")
	assert.Equal(t, now, tl.Until)
	assert.Equal(t, "24h0m0s", tl.Bucket)
	var total int64
	for _, p := range tl.Points {
		assert.Equal(t, "small", p.Model)
		total += p.Requests
	}
	assert.Equal(t, int64(3), total)
	assert.Len(t, tl.Points, 2, "two days with traffic")
}

func TestBadQueries(t *testing.T) {
	h := newHandler(t)
	tests := []struct {
		target, wantParam string
	}{
		{insights.ReportPath + "?since=yesterday", ""},
		{insights.ReportPath + "?since=2026-03-10&until=2026-03-01", ""},
		{insights.ReportPath + "?by=week", "by"},
		{insights.TimelinePath + "?bucket=-1h", ""},
		{insights.TimelinePath + "?bucket=10s", ""},
		{insights.TimelinePath + "?since=365d&bucket=1m", ""},
		// The day ends in the year 10000, which RFC 3339 cannot write:
		// a 400 rather than a 200 with an empty body.
		{insights.ReportPath + "?until=9999-12-31", ""},
		{insights.TimelinePath + "?since=9999-12-30&until=9999-12-31", ""},
		{insights.ReportPath + "?since=9999-12-31T23:00:00-05:00", ""},
		// In UTC the year -1, which RFC 3339 cannot write either.
		{insights.ReportPath + "?since=0000-01-01T00:00:00%2B01:00", ""},
		{insights.TimelinePath + "?since=0000-01-01T00:00:00%2B01:00&bucket=100000d", ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, h, tt.target, "Bearer admin")
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			var body struct {
				Error struct {
					Code, Message string
					Param         *string
				}
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Equal(t, router.EInvalid, body.Error.Code)
			assert.NotEmpty(t, body.Error.Message)
			if tt.wantParam != "" {
				require.NotNil(t, body.Error.Param)
				assert.Equal(t, tt.wantParam, *body.Error.Param)
			}
		})
	}
	assert.Equal(t, http.StatusNotFound, get(t, h, "/v1/router/nope", "Bearer admin").Code)
}

func TestParseBounds(t *testing.T) {
	tests := []struct {
		in        string
		since     time.Time
		until     time.Time
		wantError bool
	}{
		{in: "", since: time.Time{}, until: time.Time{}},
		{in: "7d", since: now.Add(-7 * 24 * time.Hour), until: now.Add(-7 * 24 * time.Hour)},
		{in: "1.5d", since: now.Add(-36 * time.Hour), until: now.Add(-36 * time.Hour)},
		{in: "90m", since: now.Add(-90 * time.Minute), until: now.Add(-90 * time.Minute)},
		{in: "now", since: now, until: now},
		{in: "2026-01-31", since: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), until: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-01-31T12:00:00+02:00", since: time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC), until: time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)},
		{in: "0d", wantError: true},
		{in: "last week", wantError: true},
		{in: "31/01/2026", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			since, err := insights.ParseSince(tt.in, now)
			until, err2 := insights.ParseUntil(tt.in, now)
			if tt.wantError {
				assert.Equal(t, router.EInvalid, router.ErrorCode(err))
				assert.Equal(t, router.EInvalid, router.ErrorCode(err2))
				return
			}
			require.NoError(t, err)
			require.NoError(t, err2)
			assert.Equal(t, tt.since, since)
			assert.Equal(t, tt.until, until)
		})
	}
}

// Guessing the admin key at the reports is limited as at the management
// API: after ten distinct wrong keys from one address, its calls get 429 in the
// reports' error shape with Retry-After, the right key included, while
// another address with the right key goes on.
func TestAnAddressThatGuessesTheAdminKeyAtTheReportsIsRefused(t *testing.T) {
	h := newHandler(t)
	h.AuthLimit = authlimit.New(authlimit.Config{})
	from := func(addr, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, insights.ReportPath, nil)
		req.RemoteAddr = addr
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for i := range 10 {
		require.Equal(t, http.StatusUnauthorized, from("192.0.2.1:4000", fmt.Sprintf("Bearer not-the-admin-key-%d", i)).Code)
	}
	rec := from("192.0.2.1:4000", "Bearer admin")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	var body struct {
		Error struct{ Type, Code string }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, "rate_limit_error", body.Error.Type)
	assert.Equal(t, authlimit.Reason, body.Error.Code)
	assert.Equal(t, http.StatusOK, from("198.51.100.7:4000", "Bearer admin").Code)
}
