package upstream_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// An OpenAI-compatible server without a background mode answers a
// `background: true` call in the foreground, its response saying
// `"background": false`: no job outlives that stream, so its opening is
// held as any other and a stall after it goes to the next model.
func TestABackgroundCallAnsweredInTheForegroundStillFailsOverAfterAStalledOpening(t *testing.T) {
	created := sseNamed("response.created", `{"type":"response.created","sequence_number":0,"response":`+
		`{"id":"resp_fg","object":"response","status":"in_progress","background":false,"model":"broken","output":[]}}`)
	m := newMisbehaving(t, upstream.KindOpenAI, writesThenHolds(created))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()

	out := m.fwd.Forward(ctx, rec, upstream.Call{
		API: upstream.APIResponses, Raw: []byte(`{"model":"r","stream":true,"background":true,"input":"hi"}`),
		Stream: true, Order: []router.Model{m.bad, m.good},
	})

	require.NoError(t, ctx.Err())
	assert.Equal(t, m.good.ID, out.Answered.ID, "%+v", out.Attempts)
	require.Len(t, out.Attempts, 2)
	assert.Contains(t, out.Attempts[0].Error, "timeout: no answer begun within")
	assert.NotContains(t, rec.Body.String(), "resp_fg")
}
