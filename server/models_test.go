package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func withTwoDeployments(c *Config) {
	c.Deployments = StaticDeployments{
		DefaultDeployment("v1"),
		{Name: "cheap", RouterVersion: "v1", Mode: router.ModeCost, Models: []string{"nano", "mini"}},
	}
}

// OpenAI's SDK reads one entry of the list: a deployment or a model.
func TestE2EOpenAIModelsGet(t *testing.T) {
	e := newE2E(t, withTwoDeployments)
	ctx := context.Background()
	for name, client := range e.clients() {
		if name == "azure" {
			continue // Azure's SDK lists no models through a deployment path
		}
		t.Run(name, func(t *testing.T) {
			m, err := client.Models.Get(ctx, "cheap")
			require.NoError(t, err)
			assert.Equal(t, "cheap", m.ID)
			assert.Equal(t, "modelrouter", m.OwnedBy)
			assert.Contains(t, m.RawJSON(), `"kind":"deployment"`)
			m, err = client.Models.Get(ctx, "mini")
			require.NoError(t, err)
			assert.Contains(t, m.RawJSON(), `"kind":"model"`)
			_, err = client.Models.Get(ctx, "gpt-4o")
			var apiErr *openai.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
			assert.Contains(t, apiErr.Message, `"gpt-4o" does not exist`)
		})
	}
}

// Anthropic's SDK lists the deployments, the names a Messages call takes,
// in its own shape and pages, on both Anthropic paths.
func TestE2EAnthropicModelsListsTheDeployments(t *testing.T) {
	e := newE2E(t, withTwoDeployments)
	ctx := context.Background()
	for name, client := range e.anthropicClients() {
		t.Run(name, func(t *testing.T) {
			page, err := client.Models.List(ctx, anthropic.ModelListParams{})
			require.NoError(t, err)
			require.Len(t, page.Data, 2)
			ids := []string{page.Data[0].ID, page.Data[1].ID}
			assert.ElementsMatch(t, []string{"model-router", "cheap"}, ids)
			assert.False(t, page.HasMore)
			for _, m := range page.Data {
				assert.Equal(t, "model", string(m.Type))
				assert.Equal(t, int64(128_000), m.MaxInputTokens)
				assert.Equal(t, int64(16_000), m.MaxTokens)
				assert.NotEmpty(t, m.DisplayName)
			}

			first, err := client.Models.List(ctx, anthropic.ModelListParams{Limit: anthropic.Int(1)})
			require.NoError(t, err)
			require.Len(t, first.Data, 1)
			assert.True(t, first.HasMore)
			rest, err := client.Models.List(ctx, anthropic.ModelListParams{Limit: anthropic.Int(1), AfterID: anthropic.String(first.LastID)})
			require.NoError(t, err)
			require.Len(t, rest.Data, 1)
			assert.False(t, rest.HasMore)
			assert.ElementsMatch(t, ids, []string{first.Data[0].ID, rest.Data[0].ID})
			back, err := client.Models.List(ctx, anthropic.ModelListParams{BeforeID: anthropic.String(rest.Data[0].ID)})
			require.NoError(t, err)
			require.Len(t, back.Data, 1)
			assert.Equal(t, first.Data[0].ID, back.Data[0].ID)

			m, err := client.Models.Get(ctx, "cheap", anthropic.ModelGetParams{})
			require.NoError(t, err)
			assert.Contains(t, m.DisplayName, "cost")
			// A model a deployment lists is not in the list, but a
			// Messages call may name it (it pins the call), and Get
			// agrees; a name nothing has is a 404.
			m, err = client.Models.Get(ctx, "mini", anthropic.ModelGetParams{})
			require.NoError(t, err)
			assert.Equal(t, "mini", m.ID)
			_, err = client.Models.Get(ctx, "no-such-model", anthropic.ModelGetParams{})
			var apiErr *anthropic.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
			assert.Contains(t, apiErr.RawJSON(), `"type":"not_found_error"`)
		})
	}
}
