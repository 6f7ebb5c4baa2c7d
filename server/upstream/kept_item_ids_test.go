package upstream_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A server that keeps nothing may answer a response object without an
// output member (answerObject takes one by its "object"): the gateway
// keeps it as it came, and the client still gets a JSON object, not one
// with an output member that has no value.
func TestAKeptAnswerWithoutOutputStillGoesOutAsJSON(t *testing.T) {
	const answer = `{"id":"resp_9","object":"response","status":"completed","model":"llama","store":false}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "application/json", answer))
	var kept []upstream.Kept
	out, rec := m.forward(t, upstream.Call{API: upstream.APIResponses, Raw: []byte(`{"model":"r","input":"Hi"}`),
		Order: []router.Model{m.bad}, Keep: func(k upstream.Kept) { kept = append(kept, k) }})
	require.NoError(t, out.Err)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), "%s", rec.Body.String())
	assert.NotContains(t, got, "output")
	require.Len(t, kept, 1)
	assert.True(t, json.Valid(kept[0].Response), "%s", kept[0].Response)
}
