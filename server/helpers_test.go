package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

func init() { gin.SetMode(gin.TestMode) }

// Test catalog: three OpenAI-format models and one Anthropic model, with
// predictions that make "mini" the Balanced choice, "large" the Quality
// choice and "nano" the Cost choice.
func testModel(id, provider, format string, in, out float64, caps router.Capabilities) router.Model {
	return router.Model{
		Format: format, Name: id, Version: "1", ID: id, UpstreamModel: id, Provider: provider, Profile: id,
		InputPerMTok: in, OutputPerMTok: out, ContextWindow: 128_000, MaxOutput: 16_000, Capabilities: caps,
	}
}

var allCaps = router.Capabilities{Tools: true, Vision: true, StructuredOutput: true, Files: true, Verbosity: true, WebSearch: true, AudioOutput: true}

// large and claude have cache prices as gpt-4.1's and Claude Sonnet's
// (its 1-hour cache writes included), and large and claude OpenAI's and
// Anthropic's price of their web searches (large's web_search_preview
// searches at OpenAI's $25 per 1,000 for a model without reasoning);
// mini and nano have none, as a model whose price table lists none.
func testCatalog() router.Catalog {
	large := testModel("large", "openai", "OpenAI", 2, 8, allCaps)
	large.CachedInputPerMTok = 0.5
	large.ServiceTiers = map[string]router.TierPrices{
		"flex":     {InputPerMTok: 1, OutputPerMTok: 4, CachedInputPerMTok: 0.25},
		"priority": {InputPerMTok: 4, OutputPerMTok: 16, CachedInputPerMTok: 1},
	}
	claude := testModel("claude", "anthropic", "Anthropic", 3, 15, allCaps)
	claude.CachedInputPerMTok, claude.CacheWritePerMTok, claude.CacheWrite1hPerMTok = 0.3, 3.75, 6
	claude.WebSearchPer1K = 10
	large.WebSearchPer1K, large.WebSearchPreviewPer1K = 10, 25
	return router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
		large,
		testModel("mini", "openai", "OpenAI", 0.4, 1.6, allCaps),
		testModel("nano", "openai", "OpenAI", 0.1, 0.4, router.Capabilities{}),
		claude,
	}}}}
}

func testPrediction() router.Prediction {
	return router.Prediction{
		"large":  {Quality: 0.90, OutputTokens: 100},
		"mini":   {Quality: 0.89, OutputTokens: 100},
		"nano":   {Quality: 0.85, OutputTokens: 100},
		"claude": {Quality: 0.895, OutputTokens: 100},
	}
}

func newTestRouter(t testing.TB, available func(router.Model) string) *router.Router {
	t.Helper()
	r, err := router.New(router.Config{
		Catalog: testCatalog(), Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: available,
	})
	require.NoError(t, err)
	return r
}

// recordLog collects records; safe for concurrent use.
type recordLog struct {
	mu    sync.Mutex
	recs  []router.Record
	owned map[string]string // OwnIDs' ids
}

func (l *recordLog) Record(r router.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
}

func (l *recordLog) Observe(r router.Record) { l.Record(r) }

// AnsweredBy makes the log an AnswerLog, as the SQLite one is.
func (l *recordLog) AnsweredBy(_ context.Context, id string) (Answer, error) {
	for _, r := range l.all() {
		if r.ResponseID == id && r.Answered != "" {
			return Answer{Model: r.Answered, KeyID: r.KeyID, PreviousResponseID: r.PreviousResponseID}, nil
		}
	}
	return Answer{}, nil
}

// OtherOwners and OwnIDs make the log an IDOwners, as the SQLite store is:
// a call's ids come with its record, a read's by OwnIDs; the first key
// keeps an id.
func (l *recordLog) OtherOwners(_ context.Context, keyID string, ids []string) (map[string]string, error) {
	owners := map[string]string{}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recs {
		for _, id := range r.OwnedIDs {
			if _, ok := owners[id]; !ok && r.KeyID != "" && slices.Contains(ids, id) {
				owners[id] = r.KeyID
			}
		}
	}
	for id, key := range l.owned {
		if _, ok := owners[id]; !ok && slices.Contains(ids, id) {
			owners[id] = key
		}
	}
	for id, key := range owners {
		if key == keyID {
			delete(owners, id)
		}
	}
	return owners, nil
}

func (l *recordLog) OwnIDs(_ context.Context, key string, ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.owned == nil {
		l.owned = map[string]string{}
	}
	for _, id := range ids {
		if _, ok := l.owned[id]; !ok {
			l.owned[id] = key
		}
	}
	return nil
}

func (l *recordLog) all() []router.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]router.Record(nil), l.recs...)
}

// waitFor returns the records once there are n (the record is sent after
// the response is flushed, so the client may see the answer first).
func (l *recordLog) waitFor(t testing.TB, n int) []router.Record {
	t.Helper()
	return l.waitForWithin(t, n, 5*time.Second)
}

// waitForWithin is waitFor with a wait of its own, for a record that takes
// longer to come.
func (l *recordLog) waitForWithin(t testing.TB, n int, wait time.Duration) []router.Record {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if recs := l.all(); len(recs) >= n {
			return recs
		}
		time.Sleep(2 * time.Millisecond)
	}
	recs := l.all()
	require.Len(t, recs, n, "records")
	return recs
}

// do sends a request to h and returns the recorded response.
func do(h http.Handler, method, path, body string, header ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Host = loopbackHost // as a local client sends it: the keyless gateway answers no other
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// loopbackHost is the Host of requests made without a server: httptest's
// own (example.com) is one a gateway that needs no key refuses.
const loopbackHost = "127.0.0.1:8080"

// errorOf decodes an OpenAI error body, failing the test when the shape is
// wrong.
type wireError struct {
	Error struct {
		Message    string  `json:"message"`
		Type       string  `json:"type"`
		Param      *string `json:"param"`
		Code       *string `json:"code"`
		Candidates []struct {
			Model  string `json:"model"`
			Reason string `json:"reason"`
		} `json:"candidates"`
	} `json:"error"`
}

func errorOf(t testing.TB, body []byte) wireError {
	t.Helper()
	var raw map[string]map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &raw), "error body %s", body)
	for _, k := range []string{"message", "type", "param", "code"} {
		require.Contains(t, raw["error"], k, "error body %s lacks %q", body, k)
	}
	var e wireError
	require.NoError(t, json.Unmarshal(body, &e))
	return e
}

// errorShape is what a client reads of an error body in either API's
// shape: Anthropic's has "type": "error" at the top.
type errorShape struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func errorShapeOf(t testing.TB, raw []byte) errorShape {
	t.Helper()
	var e errorShape
	require.NoError(t, json.Unmarshal(raw, &e), string(raw))
	return e
}

type keyStore map[string]bool

// VerifyKey answers a known key's id: "id-" and the key.
func (k keyStore) VerifyKey(_ context.Context, key string) (string, error) {
	if k[key] {
		return "id-" + key, nil
	}
	return "", router.Errorf(router.EUnauthorized, "unknown key")
}

const chatBody = `{"model":"model-router","messages":[{"role":"user","content":"What is the capital of France?"}]}`
