package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// An Azure endpoint pasted in the v1 API's form, as Azure's portal shows
// it (https://NAME.openai.azure.com/openai/v1/), serves calls whether it
// comes from AZURE_OPENAI_ENDPOINT or from the config file: both reach
// the v1 routes with the key in api-key and no api-version.
func TestServeTakesTheAzureV1EndpointFromEitherSource(t *testing.T) {
	setups := map[string]func(endpoint string) (args, environ []string){
		"environment": func(endpoint string) ([]string, []string) {
			return nil, []string{"AZURE_OPENAI_ENDPOINT=" + endpoint, "AZURE_OPENAI_API_KEY=az-key"}
		},
		"config file": func(endpoint string) ([]string, []string) {
			path := writeConfig(t, `{"providers": {"azure": {"base_url": "`+endpoint+`", "api_key": "az-key"}}}`)
			return []string{"--config", path}, nil
		},
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) {
			fake := upstreamtest.NewOpenAI(t)
			fake.Key = "az-key"
			args, environ := setup(fake.Root + "/openai/v1/")
			base, refused := startServeFromEnv(t, args, environ)
			require.NoError(t, refused)

			for path, body := range map[string]string{
				"/v1/chat/completions": `{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`,
				"/v1/responses":        `{"model":"model-router","input":"hi"}`,
			} {
				resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
				require.NoError(t, err)
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, got)
			}

			reqs := fake.Requests()
			require.Len(t, reqs, 2)
			paths := []string{reqs[0].Path, reqs[1].Path}
			assert.ElementsMatch(t, []string{"/openai/v1/chat/completions", "/openai/v1/responses"}, paths)
			for _, r := range reqs {
				assert.Empty(t, r.Query, r.Path)
				assert.Equal(t, "az-key", r.Header.Get("api-key"), r.Path)
			}
		})
	}
}
