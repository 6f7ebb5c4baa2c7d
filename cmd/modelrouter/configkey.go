package main

import (
	"net/url"
	"strings"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// publicAPIHosts are the providers' own public APIs, which refuse every
// call that carries no key (401): a provider pointed there without one
// cannot answer anything, unlike a local server (vLLM, Ollama) that needs
// none.
var publicAPIHosts = func() map[string]bool {
	hosts := map[string]bool{}
	for _, raw := range []string{upstream.DefaultOpenAIBaseURL, upstream.DefaultAnthropicBaseURL,
		upstream.DefaultDeepSeekBaseURL, upstream.DefaultXAIBaseURL} {
		u, _ := url.Parse(raw)
		hosts[u.Hostname()] = true
	}
	return hosts
}()

// azureHostSuffixes are the host names Azure gives an OpenAI resource:
// Azure OpenAI, AI Services (Cognitive Services) and Foundry.
var azureHostSuffixes = []string{".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"}

// needsKey reports whether baseURL is a provider's public API (or an Azure
// endpoint), where a missing key fails every call.
func needsKey(baseURL string) bool {
	u, err := url.Parse(baseURL)
	if err != nil {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if publicAPIHosts[host] {
		return true
	}
	for _, s := range azureHostSuffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// keyVariable is the environment variable that holds the key of the
// provider whose base URL variable is baseVar (OPENAI_BASE_URL ->
// OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT -> AZURE_OPENAI_API_KEY).
func keyVariable(baseVar string) string {
	if baseVar == "AZURE_OPENAI_ENDPOINT" {
		return "AZURE_OPENAI_API_KEY"
	}
	return strings.TrimSuffix(baseVar, "_BASE_URL") + "_API_KEY"
}
