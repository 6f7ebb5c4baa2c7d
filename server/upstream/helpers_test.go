package upstream_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// openAIModel is a catalog model served by the "openai" provider whose
// upstream name is name and whose ID is name + "-id".
func openAIModel(name string) router.Model {
	return router.Model{ID: name + "-id", Name: name, Provider: "openai", Format: "OpenAI"}
}

func anthropicModel(name string) router.Model {
	return router.Model{ID: name + "-id", Name: name, Provider: "anthropic", Format: "Anthropic"}
}

// fakes are one OpenAI-compatible and one Anthropic fake, with a
// forwarder configured for both through the SDK variables.
type fakes struct {
	openai, anthropic *upstreamtest.Fake
	fwd               *upstream.Forwarder
}

// serving returns the fake that serves m: the Anthropic one for
// anthropicModel's models, the OpenAI-compatible one for the rest.
func (f *fakes) serving(m router.Model) *upstreamtest.Fake {
	if m.Provider == "anthropic" {
		return f.anthropic
	}
	return f.openai
}

func newFakes(t *testing.T) *fakes {
	o, a := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	o.Key, a.Key = "sk-openai-test", "sk-ant-test"
	ps := upstream.FromEnv(envOf(map[string]string{
		"OPENAI_BASE_URL": o.URL, "OPENAI_API_KEY": o.Key,
		"ANTHROPIC_BASE_URL": a.Root, "ANTHROPIC_API_KEY": a.Key,
	}))
	return &fakes{openai: o, anthropic: a, fwd: &upstream.Forwarder{Providers: ps, AttemptTimeout: 2 * time.Second, Deadline: 10 * time.Second, StreamIdle: 10 * time.Second}}
}

// gateway is a minimal server in front of a Forwarder: it forwards every
// POST in the given order and, when nothing was written, writes the
// outcome's error as the real server would.
type gateway struct {
	// URL is the OpenAI SDKs' base URL, Root the Anthropic SDK's (which
	// adds /v1 itself).
	URL, Root string
	outcomes  chan upstream.Outcome
	// keep, when set before the first call, is every call's Keep.
	keep func(upstream.Kept)
}

// selection is the model_selection_details our tests' Details returns.
type selection struct {
	Answered string           `json:"answered"`
	Attempts []router.Attempt `json:"attempts"`
}

func newGateway(t testing.TB, fwd *upstream.Forwarder, api upstream.API, order ...router.Model) *gateway {
	g := &gateway{outcomes: make(chan upstream.Outcome, 64)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var head struct {
			Stream bool `json:"stream"`
		}
		_ = json.Unmarshal(raw, &head)
		out := fwd.Forward(r.Context(), w, upstream.Call{
			API: api, Raw: raw, Stream: head.Stream, Order: order, Beta: r.Header.Values("anthropic-beta"),
			Details: func(attempts []router.Attempt, answered router.Model) any {
				return selection{Answered: answered.ID, Attempts: attempts}
			},
			Keep: g.keep,
		})
		if !out.Wrote {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(out.Status)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": router.ErrorMessage(out.Err), "code": router.ErrorCode(out.Err)}})
		}
		g.outcomes <- out
	}))
	t.Cleanup(srv.Close)
	g.Root, g.URL = srv.URL, srv.URL+"/v1"
	return g
}

func (g *gateway) outcome(t testing.TB) upstream.Outcome {
	t.Helper()
	select {
	case out := <-g.outcomes:
		return out
	case <-time.After(5 * time.Second):
		t.Fatal("no outcome within 5s")
		return upstream.Outcome{}
	}
}

// post sends body to the gateway's path and returns status, headers and
// body.
// storedID asks the OpenAI fake for an answer directly and returns its id:
// an answer the provider stores, which a continuation can name.
func storedID(t testing.TB, f *fakes) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.openai.URL+"/responses", strings.NewReader(`{"model":"model-a-id","input":"hi"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+f.openai.Key)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct{ ID string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.NotEmpty(t, out.ID)
	return out.ID
}

func (g *gateway) post(t testing.TB, path, body string) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.Post(g.URL+path, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, b
}

// dataFrames returns the data of every SSE event in body, in order.
func dataFrames(t testing.TB, body []byte) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			out = append(out, d)
		}
	}
	return out
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), s)
	return m
}

const chatBody = `{"model":"router","messages":[{"role":"user","content":"say hello to me"}]}`

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
