package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Chat Completions call that asks for n answers is logged with n beside
// the tokens its provider billed for all of them, so the log can tell one
// answer's length (what the router model predicts) from their sum. A call
// that sets no n, and a Responses call, ask for one.
func TestACallsNumberOfAnswersIsLogged(t *testing.T) {
	e := newE2E(t)
	for _, body := range []string{
		`{"model":"model-router","n":3,"messages":[{"role":"user","content":"Name a prime."}],"routing_config":{"models":["mini"]}}`,
		`{"model":"model-router","messages":[{"role":"user","content":"Name a prime."}],"routing_config":{"models":["mini"]}}`,
	} {
		st, _, out := postRaw(t, e, http.MethodPost, "/v1/chat/completions", body)
		require.Equal(t, http.StatusOK, st, "%s", out)
	}
	st, _, out := postRaw(t, e, http.MethodPost, "/v1/responses",
		`{"model":"model-router","input":"Name a prime.","routing_config":{"models":["mini"]}}`)
	require.Equal(t, http.StatusOK, st, "%s", out)

	recs := e.log.waitFor(t, 3)
	require.Len(t, recs, 3)
	assert.Equal(t, 3, recs[0].Answers, "n=3")
	assert.Equal(t, 3*recs[1].Usage.CompletionTokens, recs[0].Usage.CompletionTokens,
		"the provider bills the three answers together")
	assert.Equal(t, 1, recs[1].Answers, "no n")
	assert.Equal(t, 1, recs[2].Answers, "a Responses call")
}
