package main

import (
	"strings"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// needsKey reports whether baseURL is a provider's public API (or an Azure
// endpoint), which refuses every call that carries no key (401): a
// provider pointed there without one cannot answer anything, unlike a
// local server (vLLM, Ollama) that needs none.
func needsKey(baseURL string) bool { return upstream.PublicAPI(baseURL) }

// keyVariable is the environment variable that holds the key of the
// provider whose base URL variable is baseVar (OPENAI_BASE_URL ->
// OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT -> AZURE_OPENAI_API_KEY).
func keyVariable(baseVar string) string {
	if baseVar == "AZURE_OPENAI_ENDPOINT" {
		return "AZURE_OPENAI_API_KEY"
	}
	return strings.TrimSuffix(baseVar, "_BASE_URL") + "_API_KEY"
}
