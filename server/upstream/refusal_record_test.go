package upstream_test

// Whether a provider's 403 or 404 fails over now depends on what its body
// says, so the call's record (the decision log, the attempts in
// model_selection_details) must say it too: an operator who sees a model's
// 403s reach clients reads there whether they were the prompt's content
// policy or a key the gateway should not be using, as the record of a 403
// that failed over already does.

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestARefusalPassedToTheClientIsRecordedWithTheProvidersMessage(t *testing.T) {
	body := `{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusForbidden, "application/json", body))
	out, _ := m.call(t, upstream.APIChatCompletions, false)
	require.Equal(t, http.StatusForbidden, out.Status, "%v", out.Err)
	require.Len(t, out.Attempts, 1)
	assert.Contains(t, out.Attempts[0].Error, "rejected as a result of our safety system")
}
