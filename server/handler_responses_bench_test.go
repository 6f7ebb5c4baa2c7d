package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// typedTransport answers every upstream request in memory with body as
// contentType: a Responses answer, JSON or an event stream.
type typedTransport struct {
	contentType string
	body        []byte
}

func (t typedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {t.contentType}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)), Request: r,
	}, nil
}

// responsesAnswer is a Responses answer of OpenAI's with a reasoning item
// and a message of words words.
func responsesAnswer(words int) (text, answer string) {
	text = strings.TrimSpace(strings.Repeat(" word", words))
	return text, `{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-4.1-mini","output":[` +
		`{"id":"rs_1","type":"reasoning","summary":[]},` +
		`{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","annotations":[],"text":"` + text + `"}]}],` +
		`"usage":{"input_tokens":31,"output_tokens":` + fmt.Sprint(words) + `,"total_tokens":` + fmt.Sprint(31+words) + `}}`
}

// responsesStream is responsesAnswer as OpenAI streams it: a delta a word.
func responsesStream(words int) string {
	text, answer := responsesAnswer(words)
	var b strings.Builder
	seq := 0
	ev := func(typ, data string) {
		fmt.Fprintf(&b, "event: %s\ndata: {\"type\":%q,\"sequence_number\":%d,%s}\n\n", typ, typ, seq, data)
		seq++
	}
	open := `"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-4.1-mini","output":[],"usage":null}`
	ev("response.created", open)
	ev("response.in_progress", open)
	ev("response.output_item.added", `"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}`)
	ev("response.output_item.done", `"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}`)
	ev("response.output_item.added", `"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}`)
	ev("response.content_part.added", `"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"text":""}`)
	for i := range words {
		delta := " word"
		if i == 0 {
			delta = "word"
		}
		ev("response.output_text.delta", `"item_id":"msg_1","output_index":1,"content_index":0,"delta":"`+delta+`"`)
	}
	ev("response.output_text.done", `"item_id":"msg_1","output_index":1,"content_index":0,"text":"`+text+`"`)
	ev("response.content_part.done", `"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","annotations":[],"text":"`+text+`"}`)
	ev("response.output_item.done", `"output_index":1,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","annotations":[],"text":"`+text+`"}]}`)
	ev("response.completed", `"response":`+answer)
	return b.String()
}

// agentTurnWithIDs is a Responses call late in an agent's session (Codex's
// shape): turns earlier turns sent back by value, each a question, a
// reasoning item, a tool call, its 4 KB output and an answer, the
// reasoning item, call and answer with the ids OpenAI gave them. It
// returns the body and those ids.
func agentTurnWithIDs(turns int) (body string, ids []string) {
	output := strings.Repeat("func f() { return 42 } // a line of the file that was read\n", 70)
	var b strings.Builder
	b.WriteString(`{"model":"model-router","instructions":"You are a coding agent.","tools":[{"type":"function","name":"read","parameters":{"type":"object"}}],"input":[`)
	for i := range turns {
		fmt.Fprintf(&b, `{"role":"user","content":"Look at file %d."},`, i)
		fmt.Fprintf(&b, `{"type":"reasoning","id":"rs_%d","summary":[{"type":"summary_text","text":"The file will say."}]},`, i)
		fmt.Fprintf(&b, `{"type":"function_call","id":"fc_%d","call_id":"call_%d","name":"read","arguments":"{\"path\":\"f%d.go\"}"},`, i, i, i)
		fmt.Fprintf(&b, `{"type":"function_call_output","call_id":"call_%d","output":%q},`, i, output)
		fmt.Fprintf(&b, `{"type":"message","id":"msg_%d","role":"assistant","content":[{"type":"output_text","text":"I read it; it returns 42."}]},`, i)
		ids = append(ids, fmt.Sprintf("rs_%d", i), fmt.Sprintf("fc_%d", i), fmt.Sprintf("msg_%d", i))
	}
	b.WriteString(`{"role":"user","content":"Now explain what the code base does."}]}`)
	return b.String(), ids
}

// BenchmarkGatewayHandlerResponses is BenchmarkGatewayHandler for a
// Responses call to OpenAI with a client key, answered as JSON or
// streamed, with a short answer and ones of 2,000 and (as JSON) 40,000 words (200 KB): what the
// gateway reads of a Responses answer on the way back (usage, output item
// ids) is the difference to a Chat Completions call. agent-300ids is an
// agent's 100th turn (Codex's, 470 KB) whose 300 item ids the key was
// given before a restart: what the gateway reads of a long input, and
// the owners of its ids it looks up in the store; -nonreasoning is that
// turn sent to a model that does not reason, which loses the turn's
// reasoning items.
func BenchmarkGatewayHandlerResponses(b *testing.B) {
	cat, err := models.Catalog()
	require.NoError(b, err)
	pred := evenPrediction(cat)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://openai.invalid/v1", APIKey: "sk-upstream"},
	}}
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(b, err)
	bench := func(name, model, body string, tr typedTransport, owners IDOwners) {
		srv := New(Config{
			Router:      rt,
			Forwarder:   &upstream.Forwarder{Providers: ps, Client: &http.Client{Transport: tr}},
			Supports:    ps.Supports,
			Log:         &discardLog{},
			Keys:        keyStore{"sk-bench": true},
			RequireKeys: true,
			Owners:      owners,
			Deployments: StaticDeployments{{Name: "model-router", RouterVersion: cat.Latest, Mode: router.ModeBalanced, Models: []string{model}}},
		})
		h := srv.Handler()
		b.Run(name, func(b *testing.B) {
			serve := func() *httptest.ResponseRecorder {
				w := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodPost, "/v1/responses", strings.NewReader(body))
				req.Host = loopbackHost
				req.Header.Set("Authorization", "Bearer sk-bench")
				h.ServeHTTP(w, req)
				return w
			}
			w := serve()
			require.Equal(b, http.StatusOK, w.Code, w.Body.String())
			require.Contains(b, w.Body.String(), `"msg_1"`)
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
	for _, words := range []int{20, 2_000, 40_000} {
		_, answer := responsesAnswer(words)
		for _, streamed := range []bool{false, true} {
			if streamed && words > 2_000 {
				continue // 14 µs an event: a long stream measures the event loop, not what is read of the answer
			}
			tr := typedTransport{"application/json", []byte(answer)}
			body := `{"model":"model-router","input":"Explain in two sentences why the sky is blue."}`
			name := fmt.Sprintf("json-%dw", words)
			if streamed {
				tr = typedTransport{"text/event-stream", []byte(responsesStream(words))}
				body = `{"model":"model-router","stream":true,"input":"Explain in two sentences why the sky is blue."}`
				name = fmt.Sprintf("stream-%dw", words)
			}
			bench(name, "gpt-4.1-mini-2025-04-14", body, tr, nil)
		}
	}
	// A long session (600 turns, 2.7 MB) and 100,000 one-word
	// messages (3.4 MB), as BenchmarkGatewayHandler's chat-2.7MB and
	// chat-100k-short.
	_, short := responsesAnswer(20)
	bench("json-agent-2.7MB", "gpt-4.1-mini-2025-04-14", upstreamtest.AgentResponses(600), typedTransport{"application/json", []byte(short)}, nil)
	bench("json-100k-short", "gpt-4.1-mini-2025-04-14", upstreamtest.ShortTurnsResponses(100_000), typedTransport{"application/json", []byte(short)}, nil)
	st, err := store.Open(filepath.Join(b.TempDir(), "owned.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = st.Close() })
	body, ids := agentTurnWithIDs(100)
	require.NoError(b, st.OwnIDs(context.Background(), "id-sk-bench", ids))
	_, answer := responsesAnswer(20)
	// A reasoning model, as Codex's: the reasoning items go to it.
	bench("json-agent-300ids", "gpt-5-mini-2025-08-07", body, typedTransport{"application/json", []byte(answer)}, st)
	// The same turn routed to a model that does not reason: its 100
	// reasoning items are filtered out of the input before it is sent.
	bench("json-agent-300ids-nonreasoning", "gpt-4.1-mini-2025-04-14", body, typedTransport{"application/json", []byte(answer)}, st)
}

// BenchmarkGatewayHandlerResponsesEveryModel is json-agent-300ids's 470 KB
// turn routed as serve routes it, over every model of the latest version
// with Config.Truncates set: what the gateway reads of a long input for
// each candidate (its way there, whether its provider cuts the prompt)
// grows with the candidates, and a decode of the body per candidate would
// cost more than the rest of the call.
func BenchmarkGatewayHandlerResponsesEveryModel(b *testing.B) {
	cat, err := models.Catalog()
	require.NoError(b, err)
	pred := evenPrediction(cat)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		// Declared OpenAI's API, whose provider cuts the prompt (Truncates).
		"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://openai.invalid/v1", APIKey: "sk-upstream", OpenAIAPI: true},
	}}
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(b, err)
	_, answer := responsesAnswer(20)
	body, _ := agentTurnWithIDs(100)
	srv := New(Config{
		Router: rt, Forwarder: &upstream.Forwarder{Providers: ps, Client: &http.Client{Transport: typedTransport{"application/json", []byte(answer)}}},
		Supports: ps.Supports, Truncates: ps.Truncates, Log: &discardLog{},
	})
	h := srv.Handler()
	serve := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/v1/responses", strings.NewReader(body))
		req.Host = loopbackHost
		h.ServeHTTP(w, req)
		return w
	}
	w := serve()
	require.Equal(b, http.StatusOK, w.Code, w.Body.String())
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}
