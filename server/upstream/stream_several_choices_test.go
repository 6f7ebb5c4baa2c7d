package upstream_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// severalChoicesBody asks for two choices (n: 2) in one stream.
const severalChoicesBody = `{"model":"router","stream":true,"n":2,"messages":[{"role":"user","content":"hi"}]}`

// choiceChunk is a chat.completion.chunk of choice index with delta and
// finish (a JSON value: null or a reason).
func choiceChunk(index, delta, finish string) string {
	return sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":` + index +
		`,"delta":` + delta + `,"finish_reason":` + finish + `}]}`)
}

const usageChunk = `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}`

// With n: 2 each choice finishes on its own: a stream that breaks after
// the first choice's finish_reason, in the middle of the second choice,
// is not a whole answer. The client hears that it broke (its SDK would
// otherwise take the cut second choice for a whole one) and the call is
// logged as a broken stream, not a success.
func TestAStreamOfSeveralChoicesCutBeforeItsLastChoiceFinishesIsBroken(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x",
		choiceChunk("0", `{"role":"assistant","content":""}`, "null"),
		choiceChunk("1", `{"role":"assistant","content":""}`, "null"),
		choiceChunk("0", `{"content":"Hello."}`, "null"),
		choiceChunk("0", `{}`, `"stop"`),
		choiceChunk("1", `{"content":"Hel"}`, "null"))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
	status, _, body := g.post(t, "/chat/completions", severalChoicesBody)
	require.Equal(t, http.StatusOK, status, "the answer had begun: %s", body)
	frames := dataFrames(t, body)
	require.NotEmpty(t, frames)
	last := decode(t, frames[len(frames)-1])
	assert.Contains(t, last, "error", "the client's last chunk says the stream broke: %s", body)
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.False(t, out.Whole)
	assert.Error(t, out.Err)
}

// Every choice finished, or the usage chunk, which comes after all of
// them (also from a server that ignores n and answers one choice), ends
// the answer whole, [DONE] or not.
func TestAStreamOfSeveralChoicesIsWholeOnceEachFinished(t *testing.T) {
	for name, script := range map[string][]string{
		"each choice finished": {
			choiceChunk("0", `{"role":"assistant","content":"Hello."}`, "null"),
			choiceChunk("1", `{"role":"assistant","content":"Hi."}`, "null"),
			choiceChunk("1", `{}`, `"stop"`),
			choiceChunk("0", `{}`, `"stop"`),
		},
		"usage after one choice": {
			choiceChunk("0", `{"role":"assistant","content":"Hello."}`, "null"),
			choiceChunk("0", `{}`, `"stop"`),
			sseData(usageChunk),
		},
	} {
		t.Run(name, func(t *testing.T) {
			o := newScripted(t)
			o.set("gpt-x", script...)
			g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
			status, _, body := g.post(t, "/chat/completions", severalChoicesBody)
			require.Equal(t, http.StatusOK, status)
			assert.NotContains(t, string(body), `"error"`)
			out := g.outcome(t)
			assert.Equal(t, http.StatusOK, out.Status, "%s", body)
			assert.True(t, out.Whole)
			assert.NoError(t, out.Err)
		})
	}
}
