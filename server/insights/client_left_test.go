package insights_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/insights"
)

// The dashboard cancels its load when another range or deployment is
// picked: a report cut short because its client left is no internal error,
// and the server log stays quiet about it.
func TestAReportWhoseClientLeftIsNotLoggedAsAnError(t *testing.T) {
	h := newHandler(t)
	var logged bytes.Buffer
	h.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	for _, path := range []string{insights.ReportPath, insights.TimelinePath + "?since=30d&bucket=1d"} {
		ctx, leave := context.WithCancel(context.Background())
		leave()
		req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer admin")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	assert.Empty(t, logged.String())
}
