package server

import (
	"testing"

	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude's response object names service_tier and prompt_cache_retention
// as OpenAI's does, where openai-go reads them (Response.ServiceTier and
// .PromptCacheRetention): the retention as the call set it (null when it
// set none), and the tier as asked ("auto" when not) while in progress,
// then, once finished, the tier that served it, as OpenAI's finished
// answer names the one used rather than the one asked: "default" for
// Anthropic's standard tier, "priority" for its priority tier. So in the
// JSON answer, every response object of the stream and both read back by
// id.
func TestClaudesResponseObjectNamesItsServiceTierAndCacheRetention(t *testing.T) {
	for _, tc := range []struct {
		name, asked, retention string // as the call sets them ("" for none)
		served                 string // Anthropic's usage.service_tier
		inProgress, finished   responses.ResponseServiceTier
	}{
		{name: "nothing asked", inProgress: "auto", finished: "default"},
		{name: "asked, standard tier", asked: "flex", retention: "24h", served: "standard", inProgress: "flex", finished: "default"},
		{name: "priority tier", asked: "priority", retention: "in_memory", served: "priority", inProgress: "priority", finished: "priority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
			e.anthropic.Set("claude", upstreamtest.Behavior{ServiceTier: tc.served})
			params := ask("Name a lake.")
			params.ServiceTier = responses.ResponseNewParamsServiceTier(tc.asked)
			params.PromptCacheRetention = responses.ResponseNewParamsPromptCacheRetention(tc.retention)
			got := claudeAnswers(t, e.clients()["v1"], params, true)
			assert.Len(t, got, 6)
			for where, r := range got {
				m := members(t, r)
				want := tc.finished
				if r.Status == responses.ResponseStatusInProgress {
					want = tc.inProgress
				}
				assert.Equal(t, want, r.ServiceTier, "%s: service_tier", where)
				assert.Equal(t, responses.ResponsePromptCacheRetention(tc.retention), r.PromptCacheRetention, "%s: prompt_cache_retention", where)
				if tc.retention == "" {
					assert.Equal(t, "null", string(m["prompt_cache_retention"]), "%s: present, null", where)
				}
			}
		})
	}
}
