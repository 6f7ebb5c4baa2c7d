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
			return fmt.Sprintf("%s is stored at OpenAI, and provider %s's base URL (%s) is a server of your own, not OpenAI's API"+
				" (a proxy in front of OpenAI's API? declare it: \"openai_api\": true in its providers entry, or %s=true)",
				what, p.Name, apiHost(p.BaseURL), OpenAIAPIVariable(p.Name))
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

// hostedToolRefusal is why p cannot serve a Responses call declaring a
// tool OpenAI's platform runs (hostedTool), "" when it can: OpenAI's API
// (openAIsAPI) runs them, and an Azure resource is left to judge them, as
// before this check (its Responses API documents the web_search tool,
// learn.microsoft.com/azure/foundry/openai/how-to/web-search). Another
// provider's own public API is left to --agent-tools-openai-only, as
// before: xAI's runs built-in tools of its own on its servers (web search,
// code interpreter, collections search; docs.x.ai/developers/tools/overview),
// and so does Groq's: browser search and code execution for gpt-oss, on
// its servers (console.groq.com/docs/tool-use/built-in-tools,
// docs/code-execution), and remote MCP on its Responses API
// (console.groq.com/docs/mcp).
// A server of one's own (PublicAPI false) would answer without the tool, a
// wrong answer with a 200, or refuse the call with a 400 that no failover
// follows, unless the user declared that it runs that type
// (Provider.HostedTools: vLLM or SGLang started with a tool server). A
// provider reached through a translation (Anthropic's) is the
// translation's to refuse.
func hostedToolRefusal(p Provider, api API, toolTypes []string) string {
	if api != APIResponses || p.Kind != KindOpenAI {
		return ""
	}
	for _, t := range toolTypes {
		if !hostedTool(t) {
			continue
		}
		if openAIsAPI(p) || PublicAPI(p.BaseURL) {
			return ""
		}
		if declaresHostedTool(p, t) {
			continue
		}
		why := fmt.Sprintf("tool type %s is run by OpenAI's platform, and provider %s's base URL (%s) is not OpenAI's API",
			quotedCut(t), p.Name, apiHost(p.BaseURL))
		// Only a name a declaration may hold is offered as one.
		declare := undatedTool(t)
		if !DeclarableHostedTool(declare) {
			declare = ""
		}
		var hints []string
		if p.Name == "openai" || p.Name == "default" {
			hints = append(hints, fmt.Sprintf("a proxy in front of OpenAI's API? declare it: \"openai_api\": true in its providers entry, or %s=true",
				OpenAIAPIVariable(p.Name)))
		}
		switch {
		case len(p.HostedTools) > 0:
			why += fmt.Sprintf(", and its hosted_tools declaration (%s) does not name it", strings.Join(p.HostedTools, ", "))
			if declare != "" {
				hints = append(hints, fmt.Sprintf("does the server run it too? add %q to \"hosted_tools\" in its providers entry, or to %s",
					declare, HostedToolsVariable(p.Name)))
			}
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
