package upstream_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// responseNaming is a Responses answer whose response objects carry
// previousMember (`"previous_response_id":null` as Ollama's, the id as
// OpenAI's and vLLM's, or nothing), as JSON or as a stream.
func responseNaming(previousMember string, stream bool) http.HandlerFunc {
	obj := func(status, output string) string {
		return `{"id":"resp_2","object":"response","status":"` + status + `","model":"llama",` + previousMember +
			`"store":false,"output":[` + output + `]}`
	}
	message := `{"type":"message","id":"msg_2","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hello, whoever you are.","annotations":[]}]}`
	if !stream {
		return writes(http.StatusOK, "application/json", obj("completed", message))
	}
	return writes(http.StatusOK, "text/event-stream",
		sseNamed("response.created", `{"type":"response.created","sequence_number":0,"response":`+obj("in_progress", "")+`}`),
		sseNamed("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"Hello, whoever you are."}`),
		sseNamed("response.completed", `{"type":"response.completed","sequence_number":2,"response":`+obj("completed", message)+`}`))
}

// continueAt continues resp_1 at order's models.
func continueAt(t *testing.T, m *misbehaving, stream bool, order ...router.Model) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	raw := `{"model":"r","previous_response_id":"resp_1","input":"What is my name?","stream":` + strconv.FormatBool(stream) + `}`
	return m.forward(t, upstream.Call{API: upstream.APIResponses, Raw: []byte(raw), Stream: stream, PreviousResponseID: "resp_1", Order: order})
}

// Ollama answers a continuation without its conversation and says so:
// "previous_response_id": null (an empty id says the same). Nothing of
// that answer reaches the client, whose call is a 400 naming
// previous_response_id; the model still answers calls that carry their
// conversation, so its health is untouched.
func TestAContinuationAnsweredWithoutItsConversationIsA400NotTheAnswer(t *testing.T) {
	for _, c := range []struct {
		member string
		stream bool
	}{{`"previous_response_id":null,`, false}, {`"previous_response_id":null,`, true}, {`"previous_response_id":"",`, false}} {
		stream := c.stream
		m := newMisbehaving(t, upstream.KindOpenAI, responseNaming(c.member, stream))
		m.fwd.Health = &upstream.Health{}
		for range 5 {
			out, rec := continueAt(t, m, stream, m.bad)
			assert.Equal(t, http.StatusBadRequest, out.Status, "stream %t", stream)
			assert.False(t, out.Wrote, "stream %t: %s", stream, rec.Body.String())
			assert.NotContains(t, rec.Body.String(), "whoever you are", "stream %t", stream)
			var re *router.Error
			if assert.True(t, errors.As(out.Err, &re), "stream %t: %v", stream, out.Err) {
				assert.Equal(t, "previous_response_id", re.Param)
				assert.Equal(t, apierr.PreviousResponseNotFound, re.Reason, "the code clients read to send the whole conversation")
				assert.Contains(t, re.Message, "send the whole conversation in input")
			}
		}
		assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "stream %t", stream)
	}
}

// An answer that names the continued id back (OpenAI's, vLLM's, SGLang's),
// one that names another id (LiteLLM's proxy hands out ids of its own,
// sends the provider's on, and passes the provider's answer naming the
// provider's id back: BerriAI/litellm litellm/responses/utils.py,
// decode_previous_response_id_to_original_previous_response_id), or one
// without the member at all goes out as it came.
func TestAContinuationAnswerThatNamesItsIDAnotherOrNoneGoesOut(t *testing.T) {
	for name, member := range map[string]string{
		"named":                `"previous_response_id":"resp_1",`,
		"another id (LiteLLM)": `"previous_response_id":"resp_provider_own",`,
		"no member":            ``,
	} {
		for _, stream := range []bool{false, true} {
			m := newMisbehaving(t, upstream.KindOpenAI, responseNaming(member, stream))
			out, rec := continueAt(t, m, stream, m.bad)
			assert.Equal(t, m.bad.ID, out.Answered.ID, "%s, stream %t: %v", name, stream, out.Err)
			assert.Contains(t, rec.Body.String(), "whoever you are", "%s, stream %t", name, stream)
		}
	}
}

// A provider's own public API (xAI's, Azure's, OpenAI's) keeps its
// answers and continues the id itself, and no source says what its
// response object names then: its answer goes out even where it names
// null, which only a server of one's own is read to mean an answer
// without the conversation.
func TestAContinuationAnswerOfAProvidersOwnAPIGoesOutWhateverItNames(t *testing.T) {
	for _, p := range []upstream.Provider{
		{Kind: upstream.KindOpenAI, BaseURL: "http://api.x.ai/v1"},
		{Kind: upstream.KindOpenAI, BaseURL: "http://api.openai.com/v1"},
		{Kind: upstream.KindAzure, BaseURL: "http://contoso.openai.azure.com"},
	} {
		for _, stream := range []bool{false, true} {
			m := newMisbehaving(t, upstream.KindOpenAI, responseNaming(`"previous_response_id":null,`, stream))
			servedAt(m, p)
			out, rec := continueAt(t, m, stream, m.bad)
			assert.Equal(t, m.bad.ID, out.Answered.ID, "%s, stream %t: %v", p.BaseURL, stream, out.Err)
			assert.Contains(t, rec.Body.String(), "whoever you are", "%s, stream %t", p.BaseURL, stream)
		}
	}
}

// DeepSeek's own Responses API keeps no answers (store and
// previous_response_id unsupported): its answer that names null is one
// without the conversation, refused as a server of one's own's is.
func TestAContinuationAnswerOfDeepSeeksOwnAPIThatNamesNullIsA400(t *testing.T) {
	for _, stream := range []bool{false, true} {
		m := newMisbehaving(t, upstream.KindOpenAI, responseNaming(`"previous_response_id":null,`, stream))
		servedAt(m, upstream.Provider{Kind: upstream.KindOpenAI, BaseURL: "http://API.DeepSeek.com./v1"})
		out, rec := continueAt(t, m, stream, m.bad)
		assert.Equal(t, http.StatusBadRequest, out.Status, "stream %t", stream)
		assert.NotContains(t, rec.Body.String(), "whoever you are", "stream %t", stream)
		var re *router.Error
		if assert.True(t, errors.As(out.Err, &re), "stream %t: %v", stream, out.Err) {
			assert.Equal(t, "previous_response_id", re.Param)
		}
	}
}

// servedAt makes m's bad provider p, whatever host p's base URL names,
// with its calls still reaching m's bad server.
func servedAt(m *misbehaving, p upstream.Provider) {
	served := strings.TrimPrefix(m.fwd.ByName["bad"].BaseURL, "http://")
	m.fwd.Client = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, served)
	}}}
	p.Name, p.APIKey = "bad", "sk-bad"
	m.fwd.ByName["bad"] = p
}

// llama.cpp refuses a continuation outright, with a 400 of its own words
// (tools/server/server-chat.cpp), and ik_llama.cpp with a 500 of the same
// words naming itself (a std::runtime_error, which its server answers as a
// server_error). The client gets the gateway's 400 naming
// previous_response_id and saying what to send instead, as for a server
// that answers without the conversation, and the model stays healthy: it
// answers calls that carry their conversation.
func TestLlamaCppsRefusalOfAContinuationIsA400NamingPreviousResponseID(t *testing.T) {
	for _, r := range []struct {
		server, refusal string
		status          int
	}{
		{"llama.cpp", `{"error":{"code":400,"message":"llama.cpp does not support 'previous_response_id'.","type":"invalid_request_error"}}`, http.StatusBadRequest},
		{"ik_llama.cpp", `{"error":{"code":500,"message":"ik_llama.cpp does not support 'previous_response_id'.","type":"server_error"}}`, http.StatusInternalServerError},
	} {
		for _, stream := range []bool{false, true} {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(r.status, "application/json", r.refusal))
			m.fwd.Health = &upstream.Health{}
			for range 5 {
				out, rec := continueAt(t, m, stream, m.bad)
				assert.Equal(t, http.StatusBadRequest, out.Status, "%s, stream %t", r.server, stream)
				assert.False(t, out.Wrote, "%s, stream %t: %s", r.server, stream, rec.Body.String())
				var re *router.Error
				if assert.True(t, errors.As(out.Err, &re), "%s, stream %t: %v", r.server, stream, out.Err) {
					assert.Equal(t, "previous_response_id", re.Param)
					assert.Contains(t, re.Message, "send the whole conversation in input")
					assert.Contains(t, re.Message, r.server+" does not support 'previous_response_id'.")
				}
			}
			assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "%s, stream %t", r.server, stream)
		}
	}
}

const vLLMNoBackground = `{"error":{"message":"This vLLM engine does not support ` + "`store=True`" +
	` and therefore does not support the background mode. To enable these features, set the environment variable ` +
	"`VLLM_ENABLE_RESPONSES_API_STORE=1`" + ` when launching the vLLM server.","type":"invalid_request_error","param":"background","code":400}}`

// vLLM without its response store refuses background: true: the next
// model runs the call, and the refusing model stays healthy. The last
// model's refusal reaches the client as vLLM sent it.
func TestVLLMsBackgroundRefusalFailsOverWithoutCountingAgainstItsHealth(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", vLLMNoBackground))
	m.fwd.Health = &upstream.Health{}
	for range 5 {
		out, rec := m.call(t, upstream.APIResponses, false)
		require.Equal(t, m.good.ID, out.Answered.ID, "%s", rec.Body.String())
		require.Len(t, out.Attempts, 2)
		assert.Contains(t, out.Attempts[0].Error, "no background responses")
	}
	assert.Empty(t, m.fwd.Health.Unhealthy(m.bad))

	out, rec := m.call(t, upstream.APIResponses, false, m.bad)
	assert.Equal(t, http.StatusBadRequest, out.Status)
	assert.Contains(t, rec.Body.String(), `"param":"background"`)
}

// After a model that failed in a way a retry may clear, which may run the
// background call the next time, the last model's background refusal is
// the usual 502 a client retries, as for a context or n refusal, not
// vLLM's 400 telling the client of a server setting it cannot change.
func TestVLLMsBackgroundRefusalAfterAnOutageIsTheUsual502(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "application/json", vLLMNoBackground))
	down := m.good
	down.Provider = "down"
	m.fwd.ByName["down"] = upstream.Provider{Name: "down", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:1", APIKey: "sk-down"}
	out, rec := m.call(t, upstream.APIResponses, false, down, m.bad)
	assert.Equal(t, http.StatusBadGateway, out.Status, "%s", rec.Body.String())
	assert.False(t, out.Wrote, "vLLM's 400 did not go out")
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.Equal(t, router.EUpstream, re.Code)
	assert.Contains(t, re.Message, "no background responses", "the refusal is listed with the others")
}

// answerWithoutStore is a Responses answer whose object has no store
// member, as llama.cpp's and vLLM's have none, with status.
func answerWithoutStore(status string) http.HandlerFunc {
	return writes(http.StatusOK, "application/json", `{"id":"resp_server_1","object":"response","status":"`+status+`","model":"llama","output":[`+
		`{"type":"message","id":"msg_server_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hello.","annotations":[]}]}]}`)
}

// keptBy forwards raw to m's bad model with a Keep that collects what the
// gateway keeps.
func keptBy(t *testing.T, m *misbehaving, raw string) (kept []upstream.Kept, body string) {
	t.Helper()
	_, rec := m.forward(t, upstream.Call{API: upstream.APIResponses, Raw: []byte(raw), Order: []router.Model{m.bad},
		Keep: func(k upstream.Kept) { kept = append(kept, k) }})
	return kept, rec.Body.String()
}

// An answer whose object says nothing of store is kept by the gateway
// when a server of one's own wrote it (llama.cpp keeps nothing, and
// refuses a continuation); not when a provider's own API did, whose
// objects say what it stores, nor when it is a background job, which
// only its server can finish and which is read there by its id.
func TestAnAnswerWithoutAStoreMemberIsKeptOnlyFromAServerOfOnesOwnAndNotInTheBackground(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, answerWithoutStore("completed"))
	kept, body := keptBy(t, m, `{"model":"r","input":"Hi"}`)
	require.Len(t, kept, 1, "a server of one's own: %s", body)
	assert.NotContains(t, body, "resp_server_1", "the client has the gateway's id")

	servedAt(m, upstream.Provider{Kind: upstream.KindOpenAI, BaseURL: "http://api.openai.com/v1"})
	kept, body = keptBy(t, m, `{"model":"r","input":"Hi"}`)
	assert.Empty(t, kept, "a provider's own API")
	assert.Contains(t, body, "resp_server_1")

	m = newMisbehaving(t, upstream.KindOpenAI, answerWithoutStore("queued"))
	kept, body = keptBy(t, m, `{"model":"r","input":"Hi","background":true}`)
	assert.Empty(t, kept, "a background job (vLLM's, started with its store)")
	assert.Contains(t, body, "resp_server_1", "read from its server by the server's id")
}

// A server that keeps nothing of its answers ("store": false) yet answers
// a background call with a job still queued: nothing could read the job
// by its id, so the next model runs the call and the refusing model stays
// healthy; the last model's is the gateway's 400 naming background, and
// after a model that may run the call on a retry the usual 502.
func TestAnUnreadableBackgroundJobFailsOverWithoutCountingAgainstHealth(t *testing.T) {
	job := writes(http.StatusOK, "application/json", `{"id":"resp_1","object":"response","status":"queued","store":false,"background":true,"model":"llama","output":[]}`)
	m := newMisbehaving(t, upstream.KindOpenAI, job)
	m.fwd.Health = &upstream.Health{}
	for range 5 {
		out, rec := m.call(t, upstream.APIResponses, false)
		require.Equal(t, m.good.ID, out.Answered.ID, "%s", rec.Body.String())
		assert.Contains(t, out.Attempts[0].Error, "no background responses")
	}
	assert.Empty(t, m.fwd.Health.Unhealthy(m.bad))

	out, rec := m.call(t, upstream.APIResponses, false, m.bad)
	assert.Equal(t, http.StatusBadRequest, out.Status)
	assert.False(t, out.Wrote, "the job did not go out: %s", rec.Body.String())
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.Equal(t, "background", re.Param)
	assert.Contains(t, re.Message, "cannot run background responses")

	down := m.good
	down.Provider = "down"
	m.fwd.ByName["down"] = upstream.Provider{Name: "down", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:1", APIKey: "sk-down"}
	out, _ = m.call(t, upstream.APIResponses, false, down, m.bad)
	assert.Equal(t, http.StatusBadGateway, out.Status)
}

// Only ik_llama.cpp's own words make a 500 its refusal of the id: an
// outage whose message merely quotes them (a prompt that holds the
// sentence, echoed in a server's error) is an outage, counted against the
// model's health, and from the last model the usual 502; so is any other
// 500 a continuation meets.
func TestA500ThatOnlyQuotesTheRefusalOfPreviousResponseIDIsAnOutage(t *testing.T) {
	for _, msg := range []string{
		`failed to tokenize prompt 'Why does it say: ik_llama.cpp does not support 'previous_response_id'.?'`,
		`out of memory`,
	} {
		body := `{"error":{"code":500,"message":` + strconv.Quote(msg) + `,"type":"server_error"}}`
		for _, stream := range []bool{false, true} {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusInternalServerError, "application/json", body))
			m.fwd.Health = &upstream.Health{}
			for range 5 {
				out, _ := continueAt(t, m, stream, m.bad, m.good)
				require.NotEmpty(t, out.Attempts, "%s, stream %t", msg, stream)
				assert.Equal(t, "HTTP 500", out.Attempts[0].Error, "%s, stream %t", msg, stream)
			}
			assert.NotEmpty(t, m.fwd.Health.Unhealthy(m.bad), "%s, stream %t: counted against health", msg, stream)

			m.fwd.Health = &upstream.Health{}
			out, _ := continueAt(t, m, stream, m.bad)
			assert.Equal(t, http.StatusBadGateway, out.Status, "%s, stream %t", msg, stream)
		}
	}
}

// A proxy declared to reach OpenAI's API (openai_api) passes on OpenAI's
// answers, which OpenAI keeps: a continuation's answer goes out whatever
// it names, and an answer is not kept by the gateway for want of a store
// member, as at OpenAI's own host. Undeclared, the same host is a server
// of one's own.
func TestAProxyDeclaredAsOpenAIsAPIIsReadAsOpenAIsAPIForTheResponsesState(t *testing.T) {
	proxy := upstream.Provider{Kind: upstream.KindOpenAI, BaseURL: "http://llm-proxy.corp.example/v1", OpenAIAPI: true}
	assertReadAsOpenAIsAPIForTheResponsesState(t, proxy)

	proxy.OpenAIAPI = false
	m := newMisbehaving(t, upstream.KindOpenAI, answerWithoutStore("completed"))
	servedAt(m, proxy)
	kept, _ := keptBy(t, m, `{"model":"r","input":"Hi"}`)
	assert.Len(t, kept, 1, "the same host undeclared is a server of one's own")
}

// assertReadAsOpenAIsAPIForTheResponsesState checks that answers served at
// p are read as OpenAI's: a continuation's answer naming a null
// previous_response_id goes out, plain and streamed, and an answer without
// a store member is left to the server to keep, not kept by the gateway.
func assertReadAsOpenAIsAPIForTheResponsesState(t *testing.T, p upstream.Provider) {
	t.Helper()
	for _, stream := range []bool{false, true} {
		m := newMisbehaving(t, upstream.KindOpenAI, responseNaming(`"previous_response_id":null,`, stream))
		servedAt(m, p)
		out, rec := continueAt(t, m, stream, m.bad)
		assert.Equal(t, m.bad.ID, out.Answered.ID, "%s, stream %t: %v", p.BaseURL, stream, out.Err)
		assert.Contains(t, rec.Body.String(), "whoever you are", "%s, stream %t", p.BaseURL, stream)
	}
	m := newMisbehaving(t, upstream.KindOpenAI, answerWithoutStore("completed"))
	servedAt(m, p)
	kept, body := keptBy(t, m, `{"model":"r","input":"Hi"}`)
	assert.Empty(t, kept, "%s is OpenAI's API", p.BaseURL)
	assert.Contains(t, body, "resp_server_1")
}

// Groq's own API counts as a provider's public API (its key is checked,
// its built-in tools are its own), but its Responses API keeps no answers
// (Groq's Responses API guide): its state is read as a server of one's
// own's, as before, so an answer without a store member is kept by the
// gateway and a continuation's answer naming a null id is refused.
func TestGroqsResponsesStateIsReadAsAServerOfOnesOwn(t *testing.T) {
	groq := upstream.Provider{Kind: upstream.KindOpenAI, BaseURL: "http://api.groq.com/openai/v1"}
	m := newMisbehaving(t, upstream.KindOpenAI, answerWithoutStore("completed"))
	servedAt(m, groq)
	kept, body := keptBy(t, m, `{"model":"r","input":"Hi"}`)
	assert.Len(t, kept, 1, "kept by the gateway: %s", body)

	for _, stream := range []bool{false, true} {
		m := newMisbehaving(t, upstream.KindOpenAI, responseNaming(`"previous_response_id":null,`, stream))
		servedAt(m, groq)
		out, rec := continueAt(t, m, stream, m.bad)
		assert.Equal(t, http.StatusBadRequest, out.Status, "stream %t", stream)
		assert.NotContains(t, rec.Body.String(), "whoever you are", "stream %t", stream)
	}
}
