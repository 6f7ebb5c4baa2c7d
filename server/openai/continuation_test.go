package openai_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/openai"
)

func TestInputItems(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"input":"hi \"you\""}`, `[{"role":"user","content":"hi \"you\""}]`},
		{`{"input":[{"role":"user","content":[{"type":"input_text","text":"x"}]}]}`, `[{"role":"user","content":[{"type":"input_text","text":"x"}]}]`},
		{`{"previous_response_id":"resp_1"}`, `[]`},
		{`{"input":null}`, `[]`},
	} {
		got, err := openai.InputItems([]byte(tc.body))
		require.NoError(t, err, tc.body)
		assert.JSONEq(t, tc.want, string(got), tc.body)
	}
	for _, bad := range []string{`{"input":3}`, `{"input":{}}`, `[]`, `not json`} {
		_, err := openai.InputItems([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestOutputAsInput(t *testing.T) {
	got, err := openai.OutputAsInput(json.RawMessage(`[
		{"id":"rs_1","type":"reasoning","summary":[]},
		{"id":"msg_1","type":"message","status":"completed","role":"assistant",
		 "content":[{"type":"output_text","text":"One, ","annotations":[]},{"type":"output_text","text":"two."}]},
		{"id":"msg_2","type":"message","role":"assistant","content":[{"type":"output_text","text":""}]},
		{"id":"fc_1","type":"function_call","status":"completed","call_id":"toolu_1","name":"f","arguments":"{\"a\":1}"},
		{"id":"msg_3","type":"message","role":"assistant","content":[{"type":"refusal","refusal":"I can't."}]}]`))
	require.NoError(t, err)
	assert.JSONEq(t, `[
		{"role":"assistant","content":"One, two."},
		{"type":"function_call","call_id":"toolu_1","name":"f","arguments":"{\"a\":1}"},
		{"role":"assistant","content":"I can't."}]`, string(got),
		"reasoning and empty messages dropped; item ids left out")

	empty, err := openai.OutputAsInput(json.RawMessage(`[]`))
	require.NoError(t, err)
	assert.JSONEq(t, `[]`, string(empty))
	_, err = openai.OutputAsInput(json.RawMessage(`{"type":"message"}`))
	assert.Error(t, err)
}

// The continued body carries the history, then its own input, and can be
// parsed as a call with no previous_response_id; everything else stays.
func TestContinue(t *testing.T) {
	body := `{"model":"model-router","previous_response_id":"resp_2","input":"and then?","store":true,
		"tools":[{"type":"function","name":"f","parameters":{}}],"routing_config":{"mode":"cost"}}`
	history := []json.RawMessage{
		json.RawMessage(`[{"role":"user","content":"first"}]`),
		json.RawMessage(`[{"role":"assistant","content":"one"}]`),
		json.RawMessage(`[]`),
		json.RawMessage(`[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"}]`),
	}
	out, err := openai.Continue([]byte(body), history)
	require.NoError(t, err)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out, &got))
	assert.NotContains(t, got, "previous_response_id")
	assert.JSONEq(t, `[{"role":"user","content":"first"},{"role":"assistant","content":"one"},
		{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},{"role":"user","content":"and then?"}]`, string(got["input"]))
	assert.JSONEq(t, `"model-router"`, string(got["model"]))
	assert.JSONEq(t, `{"mode":"cost"}`, string(got["routing_config"]))
	assert.Contains(t, got, "tools")

	req, err := openai.Parse(openai.Responses, out)
	require.NoError(t, err)
	assert.Empty(t, req.PreviousResponseID)
	assert.NotContains(t, req.NativeOnly, "previous_response_id", "any model can answer the whole conversation")
	assert.Contains(t, req.Prompt, "first", "the router model reads the conversation, as on any multi-turn call")
	assert.Contains(t, req.Prompt, "and then?")

	_, err = openai.Continue([]byte(`{"input":5,"previous_response_id":"resp_2"}`), history)
	assert.Error(t, err)
}

func TestParseReadsStore(t *testing.T) {
	for body, noStore := range map[string]bool{
		`{"input":"x"}`:               false,
		`{"input":"x","store":true}`:  false,
		`{"input":"x","store":null}`:  false,
		`{"input":"x","store":false}`: true,
	} {
		req, err := openai.Parse(openai.Responses, []byte(body))
		require.NoError(t, err, body)
		assert.Equal(t, noStore, req.NoStore, body)
	}
	_, err := openai.Parse(openai.Responses, []byte(`{"input":"x","store":"no"}`))
	assert.ErrorContains(t, err, "store must be true or false")
}

// BenchmarkContinue rewrites a call that continues 10 and 100 kept turns
// (about 1 KB each) into the whole conversation and parses it for routing;
// "whole" parses the same conversation sent whole by the client, the cost
// a continuation adds to.
func BenchmarkContinue(b *testing.B) {
	text := strings.Repeat("word ", 100)
	for _, turns := range []int{10, 100} {
		var history []json.RawMessage
		for range turns {
			history = append(history,
				json.RawMessage(`[{"role":"user","content":"`+text+`"}]`),
				json.RawMessage(`[{"role":"assistant","content":"`+text+`"}]`))
		}
		body := []byte(`{"model":"model-router","previous_response_id":"resp_x","input":"and then?"}`)
		whole, err := openai.Continue(body, history)
		require.NoError(b, err)
		b.Run(fmt.Sprintf("turns=%d/kept", turns), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := openai.Continue(body, history)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := openai.Parse(openai.Responses, out); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("turns=%d/whole", turns), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := openai.Parse(openai.Responses, whole); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Claude's refusal ends the message it was writing as a refusal part after
// the text before it (upstream.withRefusal). The kept turn a later
// previous_response_id replays has both, apart: glued, the model read its
// cut-off sentence run into the refusal's words ("how toThis request").
func TestOutputAsInputKeepsTextAndARefusalAfterItApart(t *testing.T) {
	got, err := openai.OutputAsInput(json.RawMessage(`[{"id":"msg_1","type":"message","status":"incomplete","role":"assistant",
		"content":[{"type":"output_text","text":"Here is how to","annotations":[]},
		{"type":"refusal","refusal":"This request was declined because it could enable cyber harm."}]}]`))
	require.NoError(t, err)
	assert.JSONEq(t, `[{"role":"assistant","content":"Here is how to\n\nThis request was declined because it could enable cyber harm."}]`, string(got))
}
