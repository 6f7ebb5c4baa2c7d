package server

import (
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/echoed"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/store"
)

// echoedPrompt is a prompt whose words a log reader would recognise: its
// quotes and new lines are escaped differently by each way a server quotes
// it back.
var echoedPrompt = strings.Repeat("Dear Ada,\nthe quarterly \"Falcon\" numbers aren't final: Lovelace's engine counts them again.\n", 20)

// echoedWords are words of echoedPrompt that no error message has.
var echoedWords = []string{"Ada", "quarterly", "Falcon", "Lovelace"}

// attemptsLogged serves one chat call whose only model's server answers
// 400 with body, and returns the call's attempts column as sqlite3 reads
// it from the decision log.
func attemptsLogged(t *testing.T, keepPrompts bool, body string) string {
	t.Helper()
	status, attempts := echoCall(t, keepPrompts, http.StatusBadRequest, body, nil)
	require.Equal(t, http.StatusBadRequest, status)
	return attempts
}

// echoCall serves one chat call of echoedPrompt whose only model's server
// answers status with body, its forwarder's health kept in health (nil:
// none), and returns the status the client got and the call's attempts
// column as sqlite3 reads it from the decision log.
func echoCall(t *testing.T, keepPrompts bool, status int, body string, health *upstream.Health) (int, string) {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(server.Close)
	path := filepath.Join(t.TempDir(), "log.db")
	st, err := store.Open(path)
	require.NoError(t, err)
	e := newE2E(t, func(cfg *Config) {
		cfg.Log, cfg.KeepPromptText = st.Log(), keepPrompts
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		fwd.Health = health
		p := fwd.Providers.ByName["openai"]
		p.BaseURL = server.URL + "/v1"
		fwd.Providers.ByName["openai"] = p
	})
	call, err := json.Marshal(map[string]any{
		"model":          "model-router",
		"messages":       []map[string]string{{"role": "system", "content": "Be brief."}, {"role": "user", "content": echoedPrompt}},
		"routing_config": map[string]any{"models": []string{"mini"}},
	})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(string(call)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, st.Close())

	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	var attempts string
	require.NoError(t, db.QueryRow(`SELECT attempts FROM decisions`).Scan(&attempts))
	return res.StatusCode, attempts
}

// pythonRepr is s as Python's repr quotes a str holding both quote marks,
// as pydantic's validation errors show their input.
func pythonRepr(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// Without --keep-prompts the decision log holds none of the prompt, even
// where the model's server quotes it in its error (vLLM's and SGLang's
// validation 400s): the quote is replaced, the rest of the message kept.
// With --keep-prompts the message is logged as the server sent it.
func TestAPromptTheServerEchoesInItsErrorIsNotLoggedUnlessPromptsAreKept(t *testing.T) {
	validation := func(input string) string {
		return "[{'type': 'value_error', 'loc': ('body', 'messages', 1, 'content'), 'msg': 'Value error, prompt rejected by the server', 'input': " + input + "}]"
	}
	vllm, err := json.Marshal(map[string]any{"error": map[string]any{
		"message": validation(pythonRepr(echoedPrompt)), "type": "BadRequestError", "param": nil, "code": 400,
	}})
	require.NoError(t, err)
	sglang, err := json.Marshal(map[string]any{"object": "error", "message": validation(echoedPrompt), "type": "BadRequestError", "code": 400})
	require.NoError(t, err)
	// FastAPI's own 422 shape, a list of problems: logged as the raw JSON.
	fastapi := `{"detail":[{"type":"value_error","loc":["body","messages",1,"content"],"msg":"Value error, prompt rejected by the server","input":` +
		string(mustJSON(t, echoedPrompt)) + `}]}`

	for name, body := range map[string]string{
		"Python repr (vLLM)":        string(vllm),
		"plain (SGLang)":            string(sglang),
		"JSON-escaped (FastAPI)":    fastapi,
		"Python repr, JSON-escaped": `{"detail": ` + string(mustJSON(t, validation(pythonRepr(echoedPrompt)))) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			kept := attemptsLogged(t, true, body)
			for _, w := range echoedWords {
				require.Contains(t, kept, w, "with --keep-prompts the server's message is logged as it came")
			}
			logged := attemptsLogged(t, false, body)
			for _, w := range echoedWords {
				assert.NotContains(t, logged, w, "the prompt's text is in the decision log: %s", logged)
			}
			assert.Contains(t, logged, echoed.Marker, "where the server quoted the request")
			assert.Contains(t, logged, "HTTP 400")
			assert.Contains(t, logged, "value_error", "the error's type stays")
			assert.Contains(t, logged, "prompt rejected by the server", "and its own words")
		})
	}
}

// A server's message that quotes nothing of the request is logged as it
// came, prompts kept or not.
func TestAProviderMessageSharingNoTextWithThePromptIsLoggedWhole(t *testing.T) {
	body := `{"object":"error","message":"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","code":400}`
	logged := attemptsLogged(t, false, body)
	assert.Contains(t, logged, "maximum context length is 8192 tokens")
	assert.NotContains(t, logged, echoed.Marker)
	assert.Equal(t, attemptsWithoutLatency(t, attemptsLogged(t, true, body)), attemptsWithoutLatency(t, logged))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// attemptsWithoutLatency is an attempts column with each attempt's
// latency, which differs from call to call, left out.
func attemptsWithoutLatency(t *testing.T, attempts string) []map[string]any {
	t.Helper()
	var as []map[string]any
	require.NoError(t, json.Unmarshal([]byte(attempts), &as))
	for _, a := range as {
		delete(a, "latency_ns")
	}
	return as
}

// A model's health keeps its last failure's message for the server log
// ("model unhealthy", last_error) and for other clients (a candidate's
// reasons, a skipped attempt): a provider's error quoting the request (here
// a 200 whose body is an error, which fails over) is kept without the
// request's text, prompts kept or not. The decision log's row follows
// --keep-prompts.
func TestAPromptTheServerEchoesInAFailureIsNotInTheServerLog(t *testing.T) {
	body := string(mustJSON(t, map[string]any{"error": map[string]any{
		"message": "Invalid request, input: " + pythonRepr(echoedPrompt), "type": "invalid_request_error",
	}}))
	for _, keepPrompts := range []bool{false, true} {
		var logs lockedBuffer
		health := &upstream.Health{Threshold: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		status, attempts := echoCall(t, keepPrompts, http.StatusOK, body, health)
		require.Equal(t, http.StatusBadGateway, status, "no model answered")
		require.Contains(t, logs.String(), "model unhealthy")
		for _, w := range echoedWords {
			assert.NotContains(t, logs.String(), w, "the prompt's text is in the server log: %s", logs.String())
			if keepPrompts {
				assert.Contains(t, attempts, w, "with --keep-prompts the decision log has the message as it came")
			} else {
				assert.NotContains(t, attempts, w, "the prompt's text is in the decision log: %s", attempts)
			}
		}
		assert.Contains(t, logs.String(), "Invalid request, input: '"+echoed.Marker, "the provider's own words stay")
	}
}
