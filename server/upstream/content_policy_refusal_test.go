package upstream_test

// A 403 can be about the prompt rather than the gateway's key: OpenRouter,
// an OpenAI-compatible upstream, answers 403 when a moderated model's input
// is flagged. That refusal is the client's to see (LiteLLM and OpenRouter
// hand it back; trying other models only shops the prompt around), and one
// client's flagged prompts must not take the model away from every other
// client as unhealthy.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const flaggedInput = `{"error":{"code":403,"message":"gpt-4o requires moderation on OpenAI. Your input was flagged for \"harassment\". No credits were charged.","metadata":{"reasons":["harassment"],"flagged_input":"...","provider_name":"OpenAI","model_slug":"openai/gpt-4o"}}}`

func TestAFlaggedPromptsContentPolicy403ReachesTheClient(t *testing.T) {
	f := newFakes(t)
	moderated, other := openAIModel("moderated"), openAIModel("other")
	f.openai.Set("moderated", upstreamtest.Behavior{FailStatus: http.StatusForbidden, FailBody: flaggedInput})
	rec := httptest.NewRecorder()
	out := f.fwd.Forward(context.Background(), rec, upstream.Call{
		API: upstream.APIChatCompletions, Order: []router.Model{moderated, other},
		Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"something flagged"}]}`),
	})
	assert.Equal(t, http.StatusForbidden, out.Status, "the provider's refusal of the prompt: %v", out.Err)
	assert.Contains(t, rec.Body.String(), "Your input was flagged")
	assert.Empty(t, f.openai.RequestsFor("other"), "the flagged prompt was sent on to another model")
}

func TestAFlaggedPromptLeavesItsModelHealthyForOtherClients(t *testing.T) {
	rig := newHealthRig(t)
	moderated, other := openAIModel("moderated"), openAIModel("other")
	rig.f.openai.Set("moderated", upstreamtest.Behavior{FailStatus: http.StatusForbidden, FailBody: flaggedInput})
	for range upstream.DefaultHealthThreshold {
		rig.call(t, context.Background(), moderated, other)
	}
	assert.Empty(t, rig.health.Unhealthy(moderated), "one client's flagged prompts made the model unhealthy for all")
}
