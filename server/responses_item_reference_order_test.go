package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/internal/itemid"
)

// A call naming items of several kept answers is refused for the first
// item, in input order, that the caller cannot have: one its own kept
// answer does not hold, or one of another key's answer. Items it may
// have before that one, and ids of answers no longer kept, do not change
// which, and nothing reaches a provider.
func TestResponsesItemReferencesAreRefusedForTheFirstUnknownItem(t *testing.T) {
	const otherKey = "sk-other-team"
	kept := &memResponses{}
	e := newE2E(t, func(c *Config) {
		c.Keys = keyStore{e2eKey: true, otherKey: true}
		c.Responses = kept
	})
	answer := func(key string) string {
		status, out := postResponsesWith(t, e, key, `{"model":"model-router","input":"hi","routing_config":{"models":["claude"]}}`)
		require.Equal(t, http.StatusOK, status, out)
		return out["id"].(string)
	}
	mine, alsoMine, theirs := answer(e2eKey), answer(e2eKey), answer(otherKey)
	sent := len(e.openai.Requests()) + len(e.anthropic.Requests())
	ref := func(resp string, index int) string { return itemid.Make("msg_", resp, index) }
	call := func(ids ...string) string {
		var b strings.Builder
		b.WriteString(`{"model":"model-router","routing_config":{"models":["claude"]},"input":[`)
		for _, id := range ids {
			b.WriteString(`{"type":"item_reference","id":"` + id + `"},`)
		}
		b.WriteString(`{"role":"user","content":"go on"}]}`)
		return b.String()
	}

	for _, c := range []struct {
		name, refused string
		ids           []string
	}{
		{"an item its answer does not hold", ref(alsoMine, 3),
			[]string{ref(mine, 0), ref("resp_gone", 0), ref(alsoMine, 3), ref(mine, 7), ref(theirs, 0)}},
		{"another key's item", ref(theirs, 0),
			[]string{ref(alsoMine, 0), ref(theirs, 0), ref(mine, 7)}},
		{"the same answer named again", ref(mine, 1),
			[]string{ref(mine, 0), ref(alsoMine, 0), ref(mine, 0), ref(mine, 1), ref(alsoMine, 2)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := postResponses(t, e, call(c.ids...))
			require.Equal(t, http.StatusNotFound, status, out)
			apiErr := out["error"].(map[string]any)
			assert.Equal(t, "input", apiErr["param"])
			assert.Equal(t, "Item with id '"+c.refused+"' not found.", apiErr["message"])
		})
	}
	assert.Equal(t, sent, len(e.openai.Requests())+len(e.anthropic.Requests()), "no refused call reaches a provider")

	status, out := postResponses(t, e, call(ref(mine, 0), ref("resp_gone", 0), ref(alsoMine, 0)))
	require.Equal(t, http.StatusBadRequest, status, out)
	assert.Contains(t, out["error"].(map[string]any)["message"], "is stored at OpenAI",
		"an id of an answer no longer kept stays a reference, which only OpenAI's models can answer")
	status, out = postResponses(t, e, call(ref(mine, 0), ref(alsoMine, 0), ref(mine, 0)))
	require.Equal(t, http.StatusOK, status, out)
	reqs := e.anthropic.RequestsFor("claude")
	assert.Equal(t, []string{"assistant: Hello from claude. Hello from claude. Hello from claude.", "user: go on"},
		anthropicTurns(t, reqs[len(reqs)-1].Body), "each reference is replaced by its item, an answer named twice twice")
}
