package upstream

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// bodyModels rewrite a body in different ways: renamed and dropped
// parameters, a fitted effort, no reasoning, no verbosity.
var bodyModels = []router.Model{
	{Name: "gpt-5", Provider: "openai", Capabilities: router.Capabilities{Reasoning: true, Verbosity: true,
		ReasoningEfforts: []string{"low", "medium", "high"}}},
	{Name: "llama", UpstreamModel: "llama-3.1-8b<&>", MaxTokensOnly: true},
	{Name: "gpt-4o", Provider: "openai"},
}

// requestBodyCorpus: the scanner's corpus, the members the rewrite
// touches, a large agent conversation (values past sharedValueSize) and
// many short turns.
func requestBodyCorpus() []string {
	big := strings.Repeat(`é \"<x>\" `, sharedValueSize/8)
	return append(append([]string{}, objectCorpus...),
		`{"model":"router","messages":[{"role":"user","content":"hi"}],"stream_options":{"x":1},"max_tokens":9}`,
		`{"model":"router","stream_options":{"include_usage":true},"max_completion_tokens":9,"routing_config":{}}`,
		`{"model":"router","stream_options":null,"reasoning_effort":"minimal","verbosity":"low","prediction":{}}`,
		`{"model":"router","stream_options":"x"}`,
		`{"model":"router","input":"`+big+`","reasoning":{"effort":"xhigh","summary":"auto"},"text":{"verbosity":"low","format":{"type":"text"}},"include":["reasoning.encrypted_content"]}`,
		`{"a":"`+big+`","b":"`+big+`","c":1,"late":"`+big+`"}`,
		upstreamtest.AgentChat(30), upstreamtest.AgentResponses(30), upstreamtest.ShortTurnsChat(200),
		upstreamtest.AgentMessages(30), upstreamtest.ShortTurnsMessages(200))
}

func TestRequestBodyIsTheEncoding(t *testing.T) {
	for _, body := range requestBodyCorpus() {
		for _, api := range []API{APIChatCompletions, APIResponses, APIMessages} {
			for _, stream := range []bool{false, true} {
				for _, m := range bodyModels {
					for _, kind := range []string{KindOpenAI, KindAnthropic} {
						if kind == KindAnthropic && api != APIMessages {
							continue // a translation, already one slice
						}
						assertRequestBodyIsTheEncoding(t, body, api, stream, m, kind)
					}
				}
			}
		}
	}
}

// FuzzRequestBody checks the body sent against the one encoded whole.
func FuzzRequestBody(f *testing.F) {
	for _, body := range requestBodyCorpus() {
		f.Add(body, true, uint8(0))
	}
	f.Fuzz(func(t *testing.T, body string, stream bool, choice uint8) {
		api := []API{APIChatCompletions, APIResponses}[choice%2]
		m := bodyModels[int(choice/2)%len(bodyModels)]
		assertRequestBodyIsTheEncoding(t, body, api, stream, m, KindOpenAI)
	})
}

// assertRequestBodyIsTheEncoding compares the body of the attempt's
// request, read twice (a resend reads it again), with the body encoded in
// one piece and, for a stream, decoded and encoded again to ask for usage,
// as forward sent it before requestBody.
func assertRequestBodyIsTheEncoding(t *testing.T, body string, api API, stream bool, m router.Model, kind string) {
	t.Helper()
	want, wantHide, wantErr := encodedWhole([]byte(body), api, stream, m, kind)
	a := &attempt{model: m, call: Call{API: api, Raw: []byte(body), Stream: stream}}
	req, hide, err := a.request(context.Background(), Provider{Name: "p", Kind: kind, BaseURL: "http://127.0.0.1:1"})
	if wantErr != nil {
		require.Error(t, err)
		assert.Equal(t, wantErr.Error(), err.Error())
		return
	}
	require.NoError(t, err)
	assert.Equal(t, wantHide, hide)
	got, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "api %s, stream %v, model %s, %s", api, stream, m.Name, kind)
	assert.Equal(t, int64(len(want)), req.ContentLength)
	again, err := req.GetBody()
	require.NoError(t, err)
	got, err = io.ReadAll(again)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "a resend's body")
}

// encodedWhole is the provider body as forward built it before
// requestBody: the rewritten object encoded into one buffer and, for a
// Chat Completions stream, that buffer decoded and encoded again with
// stream_options.include_usage.
func encodedWhole(raw []byte, api API, stream bool, m router.Model, kind string) ([]byte, bool, error) {
	if api == APIMessages && kind == KindAnthropic {
		obj, err := scanObject(raw)
		if err != nil {
			return nil, false, err
		}
		rewriteMessages(&obj, m)
		return obj.encode(), false, nil
	}
	translated := api == APIMessages // its usage needs no hiding
	if translated {
		chat, err := refMessagesToChat(raw, m) // the translation as it was
		if err != nil {
			return nil, false, err
		}
		raw, api = chat, APIChatCompletions
	}
	obj, err := scanObject(raw)
	if err != nil {
		return nil, false, err
	}
	rewriteOpenAI(&obj, api, m)
	body := obj.encode()
	if !stream || api != APIChatCompletions {
		return body, false, nil
	}
	members, err := parseObject(body)
	if err != nil {
		return nil, false, err
	}
	var opts map[string]json.RawMessage
	if raw, ok := members["stream_options"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &opts); err != nil {
			return nil, false, router.Errorf(router.EInvalid, "stream_options must be an object")
		}
	}
	var include bool
	_ = json.Unmarshal(opts["include_usage"], &include)
	if include {
		return body, false, nil
	}
	if opts == nil {
		opts = map[string]json.RawMessage{}
	}
	opts["include_usage"] = json.RawMessage("true")
	members["stream_options"] = encodeObject(opts)
	return encodeObject(members), !translated, nil
}
