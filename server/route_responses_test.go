package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// POST /v1/route/responses decides a Responses body as POST /v1/responses
// does: the members only that API has (instructions, input items, its tool
// types, background, reasoning.effort, max_output_tokens, text.format)
// narrow and rank the candidates the same way, and the dry run shows it.
func TestResponsesDryRunDecidesAsTheResponsesCall(t *testing.T) {
	for name, body := range map[string]string{
		"instructions, effort, output limit, text.format": `{"model":"model-router","instructions":"Answer with the number only.",` +
			`"input":"What is 2+2?","reasoning":{"effort":"high"},"max_output_tokens":300,` +
			`"text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object","properties":{"n":{"type":"integer"}}}}}}`,
		"input items and a function tool, not stored": `{"model":"model-router","store":false,` +
			`"input":[{"role":"user","content":[{"type":"input_text","text":"Weather in Oslo?"}]}],` +
			`"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}`,
		"web_search, Claude first": `{"model":"model-router","input":"What changed in the news today?",` +
			`"tools":[{"type":"web_search"}],` + claudeFirst + `}`,
		"background, Claude first": `{"model":"model-router","input":"Write a long essay.","background":true,` + claudeFirst + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			d := assertDryRunDecidesAsTheCall(t, e, "/v1/route/responses", "/v1/responses", body)
			require.NotNil(t, d, "the call was refused")
		})
	}
}

// What only the Responses API carries takes out the models reached through
// a translation, which a chat body of the same question would keep: the
// dry run of the Responses body says so, where POST /v1/route, reading a
// Chat Completions body, chooses Claude.
func TestResponsesDryRunExcludesWhatTheTranslationCannotCarry(t *testing.T) {
	e := newE2E(t)
	d := assertDryRunDecidesAsTheCall(t, e, "/v1/route/responses", "/v1/responses",
		`{"model":"model-router","input":"What changed in the news today?","tools":[{"type":"web_search"}],`+claudeFirst+`}`)
	require.NotNil(t, d)
	assert.Equal(t, "mini", d.ChosenModel)
	var claude *dryRunCandidate
	for i := range d.Candidates {
		if d.Candidates[i].Model == "claude" {
			claude = &d.Candidates[i]
		}
	}
	require.NotNil(t, claude, "claude is no candidate: %+v", d.Candidates)
	assert.False(t, claude.Eligible)
	assert.Contains(t, claude.Reason, "excluded: ")

	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/route",
		`{"model":"model-router","messages":[{"role":"user","content":"What changed in the news today?"}],`+claudeFirst+`}`)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	assert.Contains(t, string(raw), `"chosen_model":"claude"`)
}

// A Responses continuation (previous_response_id of an answer OpenAI
// stores) goes to the model that wrote it: the dry run pins it the same.
func TestResponsesDryRunFollowsPreviousResponseID(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	made, err := client.Responses.New(context.Background(), ask("Name a prime."), onModel("nano"))
	require.NoError(t, err)
	id := made.ID

	d := assertDryRunDecidesAsTheCall(t, e, "/v1/route/responses", "/v1/responses",
		`{"model":"model-router","previous_response_id":"`+id+`","input":"And another?","routing_config":{"mode":"quality"}}`)
	require.NotNil(t, d)
	assert.Equal(t, "nano", d.ChosenModel, "quality mode alone would choose another model")
}
