package upstream_test

// A 403 or 404 is the gateway's to fix (so the next model is tried) only
// when the provider's error says it is about the gateway's key or the
// model; any other is about the client's request and reaches the client as
// the provider sent it.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestA403Or404FailsOverOnlyWhenAboutTheGatewaysKeyOrModel(t *testing.T) {
	tests := []struct {
		name      string
		anthropic bool
		status    int
		body      string
		failsOver bool
	}{
		{"OpenAI model not found", false, 404, `{"error":{"message":"The model ` + "`first`" + ` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`, true},
		{"Azure deployment not found", false, 404, `{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}`, true},
		{"Anthropic model not found", true, 404, `{"type":"error","error":{"type":"not_found_error","message":"model: first"}}`, true},
		{"a wrong base URL's page", false, 404, `404 page not found`, true},
		{"an empty 403", false, 403, ``, true},
		{"OpenAI region not served", false, 403, `{"error":{"code":"unsupported_country_region_territory","message":"Country, region, or territory not supported","param":null,"type":"request_forbidden"}}`, true},
		{"OpenAI project without the model", false, 403, `{"error":{"message":"Project does not have access to model first","type":"invalid_request_error","param":null,"code":null}}`, true},
		{"Anthropic key without permission", true, 403, `{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}`, true},
		{"the client's file", false, 404, `{"error":{"message":"No such File object: file-abc","type":"invalid_request_error","param":"id","code":null}}`, false},
		{"Anthropic's file", true, 404, `{"type":"error","error":{"type":"not_found_error","message":"File not found: file_abc"}}`, false},
		{"OpenAI content policy", false, 403, `{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}`, false},
		{"Azure content filter", false, 403, `{"error":{"message":"The response was filtered.","type":null,"param":"prompt","code":"content_filter"}}`, false},
		{"any other 403", false, 403, `{"error":{"message":"This organization has been disabled for this feature.","type":"invalid_request_error","param":null,"code":null}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			first, second := openAIModel("first"), openAIModel("second")
			fake := f.openai
			if tt.anthropic {
				first, fake = anthropicModel("first"), f.anthropic
			}
			fake.Set("first", upstreamtest.Behavior{FailStatus: tt.status, FailBody: tt.body})
			rec := httptest.NewRecorder()
			out := f.fwd.Forward(context.Background(), rec, upstream.Call{
				API: upstream.APIChatCompletions, Order: []router.Model{first, second},
				Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
			})
			if tt.failsOver {
				assert.Equal(t, http.StatusOK, out.Status, "%v", out.Err)
				assert.Len(t, f.openai.RequestsFor("second"), 1, "the next model answers")
				return
			}
			assert.Equal(t, tt.status, out.Status, "the provider's error reaches the client: %v", out.Err)
			assert.Empty(t, f.openai.RequestsFor("second"), "no other model is asked")
			if tt.anthropic {
				assert.Contains(t, rec.Body.String(), "File not found: file_abc")
			} else {
				assert.JSONEq(t, tt.body, rec.Body.String(), "as the provider sent it")
			}
		})
	}
}
