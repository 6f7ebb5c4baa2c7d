package upstream

import (
	"net/url"
	"strings"
)

// publicAPIHosts are the hosts of the providers' own public APIs, as the
// official SDKs default their base URLs.
var publicAPIHosts = func() map[string]bool {
	hosts := map[string]bool{}
	for _, raw := range []string{DefaultOpenAIBaseURL, DefaultAnthropicBaseURL, DefaultDeepSeekBaseURL, DefaultXAIBaseURL} {
		u, _ := url.Parse(raw)
		hosts[u.Hostname()] = true
	}
	return hosts
}()

// azureHostSuffixes are the host names Azure gives an OpenAI resource:
// Azure OpenAI, AI Services (Cognitive Services) and Foundry.
var azureHostSuffixes = []string{".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"}

// PublicAPI reports whether baseURL is a provider's own public API
// (OpenAI's, Anthropic's, DeepSeek's, xAI's) or an Azure endpoint, rather
// than a server of one's own (vLLM, Ollama, llama.cpp) or a proxy at an
// address of its own.
func PublicAPI(baseURL string) bool {
	host := apiHost(baseURL)
	if host == "" {
		return false
	}
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

// apiHost is baseURL's host as a host name compares: lower case, without
// a trailing dot or port; "" when baseURL does not parse.
func apiHost(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}
