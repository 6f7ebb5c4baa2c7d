package upstream

import (
	"fmt"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// providerTool is a tool type one provider's own API runs itself that
// OpenAI's API does not take on the same API: where it runs, and for
// which of that API's models.
type providerTool struct {
	host string // apiHost of the API that runs it
	// models reports whether the API runs it for m; nil: for every model.
	models func(m router.Model) bool
	// which names those models in a refusal ("" with models nil).
	which string
}

// providerTools are, by the client's API, the tool types a provider's own
// public API documents running itself and OpenAI's API does not take
// there, so that a call declaring one goes only where it runs (it would
// reach OpenAI's API, an Azure resource or a server of one's own for a
// 400 that no failover follows, or an answer without the tool):
//
//   - browser_search, Groq's interactive web search, for its gpt-oss
//     models (console.groq.com/docs/browser-search, whose examples send
//     {"type": "browser_search"} on Chat Completions;
//     console.groq.com/docs/tool-use/built-in-tools lists it among the
//     built-in tools its API runs). Its Python SDK's Chat Completions tool
//     type is "function", "browser_search" or "code_interpreter"
//     (groq-python, ChatCompletionToolParam).
//   - code_interpreter on Chat Completions, Groq's code execution, for
//     its gpt-oss models (console.groq.com/docs/code-execution). On
//     Responses the type is OpenAI's own, hostedToolRefusal's.
//   - x_search, xAI's search of X, on Responses (docs.x.ai's search tools
//     guide names it x_search on OpenAI's Responses API, beside
//     web_search).
//
// A type in none of these lists, one no provider is known to run, is
// left to the server it reaches, as before. A server declared to run one
// (Provider.HostedTools) gets it too.
var providerTools = map[API]map[string]providerTool{
	APIChatCompletions: {
		"browser_search":   groqGPTOSS,
		"code_interpreter": groqGPTOSS,
	},
	APIResponses: {
		"browser_search": groqGPTOSS,
		"x_search":       {host: apiHost(DefaultXAIBaseURL)},
	},
}

var groqGPTOSS = providerTool{host: apiHost(GroqBaseURL), models: groqCodeExecution, which: "gpt-oss models"}

// ProviderToolType reports whether t, a tool type a call on api declares,
// is one only a provider's own API runs (providerTools): not one of the
// built-in tools only OpenAI's models run, which
// --agent-tools-openai-only keeps to OpenAI's models.
func ProviderToolType(api API, t string) bool {
	_, ok := providerTools[api][t]
	return ok
}

// providerToolRefusal is why p cannot serve m a call on api declaring a
// tool type only a provider's own API runs (providerTools), "" when it
// can: that API does, for m, or p's hosted_tools declaration names the
// type. A provider reached through a translation (Anthropic's) is the
// translation's to refuse.
func providerToolRefusal(p Provider, m router.Model, api API, toolTypes []string) string {
	if p.Kind != KindOpenAI && p.Kind != KindAzure {
		return ""
	}
	for _, t := range toolTypes {
		pt, ok := providerTools[api][t]
		if !ok || declaresHostedTool(p, t) {
			continue
		}
		host := apiHost(p.BaseURL)
		if p.Kind == KindOpenAI && host == pt.host && (pt.models == nil || pt.models(m)) {
			continue
		}
		why := fmt.Sprintf("tool type %s is one %s (%s) runs", quotedCut(t), publicAPINames[pt.host], pt.host)
		if pt.which != "" {
			why += " for " + pt.which
		}
		switch {
		case p.Kind == KindOpenAI && host == pt.host:
			return why + fmt.Sprintf(", and provider %s's model %s is not one", p.Name, upstreamModel(m))
		case p.Kind == KindAzure:
			return why + fmt.Sprintf(", and provider %s is an Azure OpenAI resource", p.Name)
		}
		why += fmt.Sprintf(", and provider %s's base URL (%s) is ", p.Name, host)
		switch name, ok := publicAPINames[host]; {
		case openAIsAPI(p):
			why += "OpenAI's API"
		case ok:
			why += name
		case PublicAPI(p.BaseURL):
			why += "another provider's own API"
		default:
			why += "not " + publicAPINames[pt.host]
		}
		var hint string
		switch {
		case len(p.HostedTools) > 0:
			hint = fmt.Sprintf("its hosted_tools declaration (%s) does not name it; does the server run it too? add %q to \"hosted_tools\" in its providers entry, or to %s",
				strings.Join(p.HostedTools, ", "), t, HostedToolsVariable(p.Name))
		case !openAIsAPI(p) && !PublicAPI(p.BaseURL):
			hint = fmt.Sprintf("a server that runs it itself? declare it: \"hosted_tools\": [%q] in its providers entry, or %s=%s",
				t, HostedToolsVariable(p.Name), t)
		}
		if hint != "" {
			why += " (" + hint + ")"
		}
		return why
	}
	return ""
}
