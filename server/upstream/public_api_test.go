package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A provider's own API is known by its host alone, however the base URL
// writes it; a server of one's own, a proxy, or a host that only looks
// like a provider's is not one.
func TestPublicAPIKnowsAProvidersHostHoweverItsBaseURLWritesIt(t *testing.T) {
	for _, base := range []string{
		"https://api.openai.com/v1", "http://API.OpenAI.com:443/v1", "https://api.openai.com./v1/", "https://api.x.ai",
		"https://api.deepseek.com", "https://api.anthropic.com", "https://my-resource.openai.azure.com/openai/v1",
		"https://My-Resource.CognitiveServices.Azure.com.", "https://proj.services.ai.azure.com/api/projects/p",
		"https://api.groq.com/openai/v1", "https://API.Groq.com./openai/v1/",
	} {
		assert.True(t, upstream.PublicAPI(base), base)
	}
	for _, base := range []string{
		"http://127.0.0.1:11434/v1", "http://localhost:8080", "https://llm.example.com/openai/v1", "https://openai.azure.com",
		"https://api.openai.com.example.com/v1", "https://api.groq.com.example.com/openai/v1", "https://my-resource.openai.azure.com.example.com", "api.openai.com/v1", "://bad", "",
	} {
		assert.False(t, upstream.PublicAPI(base), base)
	}
}
