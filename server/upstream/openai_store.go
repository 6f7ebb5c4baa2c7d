package upstream

import (
	"fmt"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// NeedOpenAIStore, among the types passed to Supports, is what a call
// names by an id that only OpenAI resolves (what, e.g. "conversation
// conv_1": a Conversations API conversation, a stored prompt, an uploaded
// file, an item_reference). The router already keeps such a call to the
// openai provider's models; Supports also leaves out those whose base URL
// is a server of one's own (Ollama, vLLM, llama.cpp), which ignores a
// `conversation` or `prompt` and answers without it, a wrong answer with
// a 200 (Ollama's OpenAI compatibility doc: no `conversation` support).
func NeedOpenAIStore(what string) string { return openAIStorePrefix + what }

const openAIStorePrefix = "stored at OpenAI:"

func isOpenAIStoreNeed(t string) bool { return strings.HasPrefix(t, openAIStorePrefix) }

// openAIStoreRefusal is why p cannot serve m a call that names what
// OpenAI stores, "" when it can (or when the router is the one to say
// why: a model of another provider). A call that names nothing OpenAI
// stores, nearly every call, costs a scan of its needs' prefixes, never
// a parse of the base URL.
func openAIStoreRefusal(p Provider, m router.Model, toolTypes []string) string {
	if m.Provider != "openai" {
		return ""
	}
	for _, t := range toolTypes {
		if what, ok := strings.CutPrefix(t, openAIStorePrefix); ok {
			if readsOpenAIState(p) {
				return ""
			}
			return fmt.Sprintf("%s is stored at OpenAI, and provider %s's base URL (%s) is a server of your own, not OpenAI's API (%s)",
				what, p.Name, apiHost(p.BaseURL), openAIAPIHint(p))
		}
	}
	return ""
}

// hostedTool reports whether a Responses tool of type t is one OpenAI's
// platform runs itself while it answers (web search, file search over
// its vector stores, the code interpreter's containers, image generation,
// a remote MCP server it calls), rather than one the client runs on the
// model's call (function, custom, computer use, local shell, apply_patch).
// A server of one's own behind an OpenAI-compatible base URL does not
// run them: Ollama's Responses API reads every tool as a function and
// runs none (its openai/responses.go), llama.cpp's refuses any tool but a
// function, and vLLM runs web_search_preview, code_interpreter and mcp
// only for gpt-oss with a tool server it was started with
// (--tool-server), answering without them otherwise.
func hostedTool(t string) bool {
	switch t {
	case "file_search", "code_interpreter", "image_generation", "mcp":
		return true
	}
	return strings.HasPrefix(t, "web_search") // web_search, web_search_preview and their dated names
}

// hostedToolRefusal is why p cannot serve m a Responses call declaring a
// tool OpenAI's platform runs (hostedTool), "" when it can: OpenAI's API
// (openAIsAPI) runs them, and an Azure resource is left to judge them, as
// before this check (its Responses API documents the web_search tool,
// learn.microsoft.com/azure/foundry/openai/how-to/web-search). Another
// provider's own public API runs only the types it documents
// (publicAPIRuns): xAI's its web search, code interpreter, collections
// search and remote MCP, Groq's its code execution for gpt-oss and remote
// MCP; any other type would reach it for a 400 that no failover follows
// (or an answer without the tool). A server of one's own (PublicAPI
// false) would answer without the tool, a wrong answer with a 200, or
// refuse the call with a 400 that no failover follows. Either runs a type
// the user declared it to run (Provider.HostedTools: vLLM or SGLang
// started with a tool server, or a type a provider's API takes that its
// documentation does not yet name). A provider reached through a
// translation (Anthropic's) is the translation's to refuse.
func hostedToolRefusal(p Provider, m router.Model, api API, toolTypes []string) string {
	if api != APIResponses || p.Kind != KindOpenAI {
		return ""
	}
	for _, t := range toolTypes {
		if !hostedTool(t) {
			continue
		}
		if openAIsAPI(p) {
			return ""
		}
		public := PublicAPI(p.BaseURL)
		if public && publicAPIRuns(p, m, t) || declaresHostedTool(p, t) {
			continue
		}
		why := fmt.Sprintf("tool type %s is run by OpenAI's platform, and provider %s's base URL (%s) is not OpenAI's API",
			quotedCut(t), p.Name, apiHost(p.BaseURL))
		if public {
			why = fmt.Sprintf("tool type %s is run by OpenAI's platform, and provider %s's base URL (%s) is %s",
				quotedCut(t), p.Name, apiHost(p.BaseURL), publicAPIDocuments(p, m))
		}
		// Only a name a declaration may hold is offered as one.
		declare := undatedTool(t)
		if !DeclarableHostedTool(declare) {
			declare = ""
		}
		var hints []string
		if !public && (p.Name == "openai" || p.Name == "default") {
			hints = append(hints, openAIAPIHint(p))
		}
		switch {
		case len(p.HostedTools) > 0:
			why += fmt.Sprintf(", and its hosted_tools declaration (%s) does not name it", strings.Join(p.HostedTools, ", "))
			if declare != "" {
				hints = append(hints, fmt.Sprintf("does the server run it too? add %q to \"hosted_tools\" in its providers entry, or to %s",
					declare, HostedToolsVariable(p.Name)))
			}
		case declare != "" && public:
			hints = append(hints, fmt.Sprintf("does its API take it now? declare it: \"hosted_tools\": [%q] in its providers entry, or %s=%s",
				declare, HostedToolsVariable(p.Name), declare))
		case declare != "":
			hints = append(hints, fmt.Sprintf("a server that runs it itself, as vLLM or SGLang started with a tool server? declare it: \"hosted_tools\": [%q] in its providers entry, or %s=%s",
				declare, HostedToolsVariable(p.Name), declare))
		}
		if len(hints) > 0 {
			why += " (" + strings.Join(hints, "; ") + ")"
		}
		return why
	}
	return ""
}

// publicAPIHostedTools are, by host, the hosted tool types (hostedTool) a
// provider's own public API other than OpenAI's documents running itself
// on its Responses API, under OpenAI's names and undated:
//
//   - xAI's: web_search (docs.x.ai's search tools guide names the tool
//     web_search on OpenAI's Responses API, not web_search_preview),
//     code_interpreter, file_search over its collections and remote mcp
//     (docs.x.ai/developers/tools/overview: web search, X search, code
//     interpreter, collections search; its collections search guide sends
//     file_search with a collection's id as vector_store_ids).
//   - Groq's: code_interpreter, for gpt-oss only (groqCodeExecution;
//     console.groq.com/docs/code-execution), and remote mcp on its
//     Responses API (console.groq.com/docs/mcp). Its web search is a tool
//     of its own, browser_search (console.groq.com/docs/browser-search),
//     and no Groq page documents OpenAI's web_search types, file_search
//     or image_generation.
//
// A public API not listed (DeepSeek's, Anthropic's OpenAI-compatible
// endpoint) documents none.
var publicAPIHostedTools = map[string][]publicTool{
	apiHost(DefaultXAIBaseURL): {{name: "web_search"}, {name: "code_interpreter"}, {name: "file_search"}, {name: "mcp"}},
	apiHost(GroqBaseURL):       {{name: "code_interpreter", models: groqCodeExecution, which: "gpt-oss models"}, {name: "mcp"}},
}

// publicTool is a hosted tool type a public API documents running, for
// the models that models reports (nil: every model), which names them.
type publicTool struct {
	name   string
	models func(m router.Model) bool
	which  string
}

// runsFor reports whether the API runs the tool for m.
func (pt publicTool) runsFor(m router.Model) bool { return pt.models == nil || pt.models(m) }

// publicAPINames names the public APIs publicAPIHostedTools lists, and
// DeepSeek's, in a refusal.
var publicAPINames = map[string]string{
	apiHost(DefaultXAIBaseURL):      "xAI's API",
	apiHost(GroqBaseURL):            "Groq's API",
	apiHost(DefaultDeepSeekBaseURL): "DeepSeek's API",
}

// publicAPIRuns reports whether p, a provider's own public API, documents
// running hosted tool type t for m (publicAPIHostedTools).
func publicAPIRuns(p Provider, m router.Model, t string) bool {
	for _, pt := range publicAPIHostedTools[apiHost(p.BaseURL)] {
		if pt.name == t {
			return pt.runsFor(m)
		}
	}
	return false
}

// groqCodeExecution reports whether Groq runs code execution for m: its
// gpt-oss models alone, of the models it serves
// (console.groq.com/docs/code-execution).
func groqCodeExecution(m router.Model) bool {
	return strings.Contains(strings.ToLower(upstreamModel(m)), "gpt-oss")
}

// publicAPIDocuments says which public API p is and what hosted tool
// types it documents running, for a refusal.
func publicAPIDocuments(p Provider, m router.Model) string {
	host := apiHost(p.BaseURL)
	name, ok := publicAPINames[host]
	if !ok {
		name = "a provider's own API"
	}
	var runs, forOthers []string
	for _, pt := range publicAPIHostedTools[host] {
		if pt.runsFor(m) {
			runs = append(runs, pt.name)
		} else {
			forOthers = append(forOthers, pt.name+" for "+pt.which)
		}
	}
	if len(runs) == 0 && len(forOthers) == 0 {
		return name + ", which documents none of these types"
	}
	list := strings.Join(runs, ", ")
	if len(runs) > 1 {
		list = strings.Join(runs[:len(runs)-1], ", ") + " and " + runs[len(runs)-1]
	}
	if len(forOthers) > 0 {
		return name + ", whose Responses API documents only " + list + " of these types for " + upstreamModel(m) + " (" + strings.Join(forOthers, "; ") + ")"
	}
	return name + ", whose Responses API documents only " + list + " of these types"
}

// readsOpenAIState reports whether p answers with OpenAI's own state:
// OpenAI's API (openAIsAPI), or an Azure OpenAI resource, which the
// openai provider's models reach when only Azure is configured (Resolve)
// and whose v1 Responses API takes the same members, as it did before
// this check. Any other server is one of one's own.
func readsOpenAIState(p Provider) bool { return p.Kind == KindAzure || openAIsAPI(p) }

// openAIsAPI reports whether p reaches OpenAI's own API: at one of its
// hosts (openAIHost: api.openai.com or a data residency region's), or
// through a proxy the user declared as such (Provider.OpenAIAPI).
func openAIsAPI(p Provider) bool {
	return p.Kind == KindOpenAI && (p.OpenAIAPI || openAIHost(p.BaseURL))
}

// openAIAPIHint tells how to declare p, whose base URL is not one of
// OpenAI's hosts, as reaching OpenAI's API (Provider.OpenAIAPI).
func openAIAPIHint(p Provider) string {
	return fmt.Sprintf("a proxy in front of OpenAI's API? declare it: \"openai_api\": true in its providers entry, or %s=true",
		OpenAIAPIVariable(p.Name))
}
