package insights_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/insights"
)

// badQueryMessage asks target and returns the message of its 400 invalid.
func badQueryMessage(t *testing.T, target string) string {
	t.Helper()
	rec := get(t, newHandler(t), target, "Bearer admin")
	require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
	var body struct {
		Error struct{ Code, Message string }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, router.EInvalid, body.Error.Code)
	return body.Error.Message
}

// An until before since is refused naming both as they were typed: a date
// given as until is read as the midnight that ends it, a day the user never
// typed ("until (2026-11-02T00:00:00Z)" for 2026-11-01).
func TestAnUntilNotAfterSinceIsRefusedNamingBothAsTyped(t *testing.T) {
	msg := badQueryMessage(t, insights.ReportPath+"?since=2026-11-02&until=2026-11-01")
	assert.Contains(t, msg, `until "2026-11-01" must be after since "2026-11-02"`)
	assert.NotContains(t, msg, "T00:00:00Z")
}

// The zero time stands for no bound, so a timeline since 0001-01-01 would
// be the last week and a report until 0001-01-01T00:00:00Z everything:
// both are refused, saying why, rather than answered for a range the
// caller did not ask for.
func TestABoundAtTheZeroTimeIsRefusedRatherThanReadAsNoBound(t *testing.T) {
	assert.Contains(t, badQueryMessage(t, insights.TimelinePath+"?since=0001-01-01&bucket=1d"), `since "0001-01-01" is the zero time`)
	assert.Contains(t, badQueryMessage(t, insights.ReportPath+"?until=0001-01-01T00:00:00Z"), `until "0001-01-01T00:00:00Z" is the earliest time there is`)
}
