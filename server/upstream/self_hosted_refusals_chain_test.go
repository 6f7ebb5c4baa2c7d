package upstream_test

// Servers of one's own refuse a call for their own setup in different ways
// (llama.cpp's 500 on n, vLLM's 400 on background without its store, a
// context window smaller than the catalog's). In one failover chain of a
// call that sets all three off (n 2, background, a long prompt), each
// is passed over without counting against its model's health, and the
// client gets the last model's refusal, as it would from that model alone.

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestSelfHostedRefusalsInOneChainFailOverAndTheLastOneIsTheClients(t *testing.T) {
	refusals := map[string]http.HandlerFunc{
		"n":          writes(http.StatusInternalServerError, "application/json", oneChoiceRefusal),
		"background": writes(http.StatusBadRequest, "application/json", vLLMNoBackground),
		"context":    writes(http.StatusBadRequest, "application/json", contextRefusals[0].body),
	}
	for _, tt := range []struct {
		order       []string
		reason      string // the client's error code, "" when the server's 400 goes out as it came
		param, body string
	}{
		{order: []string{"n", "background", "context"}, reason: router.ReasonContextLength, param: "input"},
		{order: []string{"context", "background", "n"}, reason: router.ReasonUnsupportedValue, param: "n"},
		{order: []string{"n", "context", "background"}, body: `"param":"background"`},
	} {
		m := newMisbehaving(t, upstream.KindOpenAI, refusals[tt.order[0]])
		m.fwd.Health = &upstream.Health{}
		var order []router.Model
		for i, name := range tt.order {
			p := "self-" + name
			if i > 0 {
				srv := httptest.NewServer(refusals[name])
				t.Cleanup(srv.Close)
				m.fwd.ByName[p] = upstream.Provider{Name: p, Kind: upstream.KindOpenAI, BaseURL: srv.URL, APIKey: "sk-" + name}
			} else {
				p = m.bad.Provider
			}
			order = append(order, router.Model{ID: name + "-id", Name: name, Provider: p, Format: "OpenAI"})
		}
		for _, stream := range []bool{false, true} {
			for range 5 {
				body := []byte(`{"model":"r","n":2,"background":true,"stream":` + strconv.FormatBool(stream) + `,"input":"hi"}`)
				out, rec := m.forward(t, upstream.Call{API: upstream.APIResponses, Raw: body, Stream: stream, Order: order})
				require.Len(t, out.Attempts, 3, "%v stream %t", tt.order, stream)
				assert.Equal(t, http.StatusBadRequest, out.Status, "%v stream %t: %v", tt.order, stream, out.Err)
				assert.Equal(t, tt.order[2]+"-id", out.Answered.ID, "%v: the last model's refusal", tt.order)
				if tt.reason == "" {
					assert.Contains(t, rec.Body.String(), tt.body, "%v stream %t", tt.order, stream)
					continue
				}
				var re *router.Error
				require.ErrorAs(t, out.Err, &re, "%v stream %t", tt.order, stream)
				assert.Equal(t, tt.reason, re.Reason, "%v stream %t", tt.order, stream)
				assert.Equal(t, tt.param, re.Param, "%v stream %t", tt.order, stream)
			}
		}
		for _, m2 := range order {
			assert.Empty(t, m.fwd.Health.Unhealthy(m2), "%v: %s", tt.order, m2.ID)
		}
	}
}
