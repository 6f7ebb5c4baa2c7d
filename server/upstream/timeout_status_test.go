package upstream_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// 408 Request Timeout (Azure OpenAI and proxies send it when a generation
// or the connection to the model times out) says nothing about the
// client's request, and the SDKs retry it as they retry 429 and 5xx. Like
// those it should fail over before anything reached the client, not go to
// the client as its own error, logged as the client's invalid request
// and counted as a sign the provider is up.
func TestARequestTimeoutFromTheProviderFailsOver(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusRequestTimeout, "application/json",
		`{"error":{"message":"Request timed out.","type":"timeout","code":"timeout"}}`))
	out, rec := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, "good-id", out.Answered.ID, "passed to the client: %d %s", out.Status, rec.Body.String())
	assert.Equal(t, http.StatusOK, out.Status)
	assert.False(t, out.Refused, "logged as the client's request refused by the provider")
}

// A provider that keeps timing out is failing, as one that keeps answering
// 503 is: after --unhealthy-after of them in a row it is tried last.
func TestARequestTimeoutFromTheProviderCountsAgainstItsHealth(t *testing.T) {
	rig := newHealthRig(t)
	sick, well := openAIModel("sick"), openAIModel("well")
	rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: http.StatusRequestTimeout})
	for range upstream.DefaultHealthThreshold {
		require.Equal(t, "well-id", rig.call(t, context.Background(), sick, well).Answered.ID)
	}
	assert.Contains(t, rig.health.Unhealthy(sick), "the last HTTP 408")
}
