package upstream

import (
	"net/url"
	"strings"
)

// GroqBaseURL is Groq's OpenAI-compatible API, as Groq's Responses API
// guide sets OpenAI's SDKs' base URL (console.groq.com/docs/responses-api):
// Groq's own public API, which takes calls with a Groq API key only and
// answers a wrong one with 401 "Invalid API Key". No catalog provider is
// Groq's; a model it serves (gpt-oss-120b, Llama-4-Maverick) is pointed
// there by MODELROUTER_UPSTREAM_<NAME>_BASE_URL.
const GroqBaseURL = "https://api.groq.com/openai/v1"

// publicAPIHosts are the hosts of the providers' own public APIs: OpenAI's
// (openAIHosts), the others' as the official SDKs default their base
// URLs, and Groq's (GroqBaseURL).
var publicAPIHosts = func() map[string]bool {
	hosts := map[string]bool{}
	for _, raw := range []string{DefaultAnthropicBaseURL, DefaultDeepSeekBaseURL, DefaultXAIBaseURL, GroqBaseURL} {
		hosts[apiHost(raw)] = true
	}
	for h := range openAIHosts {
		hosts[h] = true
	}
	return hosts
}()

// openAIRegionalHosts are the hosts of OpenAI's API for a project with
// data residency, one a region, as OpenAI's data controls guide ("Data
// residency controls", its table of domain prefixes) lists them: the same
// API as api.openai.com (Responses, Chat Completions, files in every
// region), reached with the project's API key: none of them is a server
// of one's own.
var openAIRegionalHosts = []string{
	"us.api.openai.com", // United States
	"eu.api.openai.com", // Europe (EEA and Switzerland)
	"au.api.openai.com", // Australia
	"ca.api.openai.com", // Canada
	"jp.api.openai.com", // Japan
	"in.api.openai.com", // India
	"sg.api.openai.com", // Singapore
	"kr.api.openai.com", // South Korea
	"gb.api.openai.com", // United Kingdom
	"ae.api.openai.com", // United Arab Emirates
}

// openAIHosts are the hosts of OpenAI's own API: api.openai.com and its
// regional hosts. The one list every check of "is this OpenAI's API"
// reads (openAIsAPI, PublicAPI).
var openAIHosts = func() map[string]bool {
	hosts := map[string]bool{apiHost(DefaultOpenAIBaseURL): true}
	for _, h := range openAIRegionalHosts {
		hosts[h] = true
	}
	return hosts
}()

// openAIHost reports whether baseURL's host is OpenAI's own API
// (openAIHosts), however the URL writes it.
func openAIHost(baseURL string) bool { return openAIHosts[apiHost(baseURL)] }

// azureHostSuffixes are the host names Azure gives an OpenAI resource:
// Azure OpenAI, AI Services (Cognitive Services) and Foundry.
var azureHostSuffixes = []string{".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com"}

// PublicAPI reports whether baseURL is a provider's own public API
// (OpenAI's, Anthropic's, DeepSeek's, xAI's, Groq's) or an Azure endpoint, rather
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
