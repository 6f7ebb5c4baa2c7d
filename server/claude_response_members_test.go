package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// claudeAnswers asks claude once as JSON and once streamed, and returns
// every response object the client got: the JSON answer, each one the
// stream carried, and, where the gateway keeps the answers, both read back
// by id. Each is named by where it came from.
func claudeAnswers(t *testing.T, client openai.Client, params responses.ResponseNewParams, kept bool, opts ...option.RequestOption) map[string]responses.Response {
	t.Helper()
	ctx := context.Background()
	opts = append(opts, onModel("claude"))
	got := map[string]responses.Response{}
	whole, err := client.Responses.New(ctx, params, opts...)
	require.NoError(t, err)
	got["json"] = *whole
	stream := client.Responses.NewStreaming(ctx, params, opts...)
	var last string
	for stream.Next() {
		if ev := stream.Current(); ev.Response.ID != "" {
			got["stream "+ev.Type] = ev.Response
			last = ev.Response.ID
		}
	}
	require.NoError(t, stream.Err())
	for where, id := range map[string]string{"json read back": whole.ID, "stream read back": last} {
		read, err := client.Responses.Get(ctx, id, responses.ResponseGetParams{})
		if !kept {
			requireStatus(t, err, http.StatusNotFound)
			continue
		}
		require.NoError(t, err)
		got[where] = *read
	}
	return got
}

// members is a response object's members as sent.
func members(t *testing.T, r responses.Response) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(r.RawJSON()), &m))
	return m
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a string, b json.RawMessage) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// Claude's translated response object carries the members OpenAI's always
// does, so a strict client and openai-go's typed fields read them: the
// call's settings as it sent them, OpenAI's defaults where it sent none,
// and what the gateway itself knows: store (whether it keeps the answer,
// readable by id), background false (a background call never reaches
// Claude), text in plain format (a JSON format leaves Claude out) and
// reasoning without an effort (Claude is sent no thinking), a verbosity
// or effort the call asked being dropped for Claude rather than applied.
// So in the JSON answer, each response object of the stream, and both read
// back by id.
func TestClaudesResponseObjectCarriesTheMembersOpenAIsAlwaysDoes(t *testing.T) {
	fixed := map[string]string{
		"background": "false", "text": `{"format":{"type":"text"}}`, "reasoning": `{"effort":null,"summary":null}`,
	}
	check := func(t *testing.T, got map[string]responses.Response, want map[string]string) {
		t.Helper()
		for where, r := range got {
			m := members(t, r)
			var wrong []string
			for _, all := range []map[string]string{want, fixed} {
				for member, v := range all {
					if sent, ok := m[member]; !ok {
						wrong = append(wrong, member+" missing")
					} else if !jsonEqual(v, sent) {
						wrong = append(wrong, fmt.Sprintf("%s %s, not %s", member, sent, v))
					}
				}
			}
			sort.Strings(wrong)
			assert.Empty(t, wrong, where)
			// openai-go's typed fields read them.
			assert.False(t, r.Background, where)
			assert.Equal(t, "text", r.Text.Format.Type, where)
			assert.Empty(t, r.Text.Verbosity, "%s: no verbosity is claimed", where)
			assert.Empty(t, r.Reasoning.Effort, "%s: no effort is claimed", where)
			assert.Equal(t, want["truncation"], `"`+string(r.Truncation)+`"`, where)
			if r.Status == responses.ResponseStatusCompleted {
				assert.GreaterOrEqual(t, r.CompletedAt, r.CreatedAt, "%s: completed_at", where)
			} else {
				assert.Equal(t, "null", string(m["completed_at"]), "%s: completed_at while %s", where, r.Status)
			}
		}
	}

	t.Run("defaults", func(t *testing.T) {
		e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
		got := claudeAnswers(t, e.clients()["v1"], ask("Name a lake."), true)
		require.Len(t, got, 6)
		check(t, got, map[string]string{
			"store": "true", "truncation": `"disabled"`, "top_logprobs": "0", "max_tool_calls": "null",
			"user": "null", "safety_identifier": "null", "prompt_cache_key": "null",
			"tools": "[]", "tool_choice": `"auto"`, "parallel_tool_calls": "true", "temperature": "1", "top_p": "1",
			"max_output_tokens": "null", "metadata": "{}", "instructions": "null", "previous_response_id": "null",
		})
		assert.Equal(t, int64(0), got["json"].TopLogprobs)
		assert.Positive(t, got["json"].Usage.TotalTokens)
		assert.Positive(t, got["stream response.completed"].Usage.TotalTokens)
	})

	t.Run("as the call set them", func(t *testing.T) {
		e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
		params := ask("Name a lake.")
		params.Store = openai.Bool(true)
		params.Truncation = responses.ResponseNewParamsTruncationAuto
		params.TopLogprobs = openai.Int(0)
		params.MaxToolCalls = openai.Int(3)
		params.User = openai.String("u-1")
		params.SafetyIdentifier = openai.String("s-1")
		params.PromptCacheKey = openai.String("k-1")
		params.Reasoning = shared.ReasoningParam{Effort: shared.ReasoningEffortLow}
		params.Text = responses.ResponseTextConfigParam{Verbosity: responses.ResponseTextConfigVerbosityLow}
		got := claudeAnswers(t, e.clients()["v1"], params, true)
		check(t, got, map[string]string{
			"store": "true", "truncation": `"auto"`, "top_logprobs": "0", "max_tool_calls": "3",
			"user": `"u-1"`, "safety_identifier": `"s-1"`, "prompt_cache_key": `"k-1"`,
		})
		assert.Equal(t, int64(3), got["json"].MaxToolCalls)
		assert.Equal(t, "k-1", got["stream response.completed"].PromptCacheKey)
	})

	t.Run("not kept", func(t *testing.T) {
		e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
		params := ask("Name a lake.")
		params.Store = openai.Bool(false)
		check(t, claudeAnswers(t, e.clients()["v1"], params, false), map[string]string{"store": "false", "truncation": `"disabled"`})

		off := newE2E(t) // --keep-responses 0: the gateway keeps nothing
		check(t, claudeAnswers(t, off.clients()["v1"], ask("Name a lake."), false), map[string]string{"store": "false", "truncation": `"disabled"`})
	})
}
