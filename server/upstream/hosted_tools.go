package upstream

import (
	"regexp"
	"slices"
)

// HostedToolTypes are the names a provider's hosted_tools declaration
// (Provider.HostedTools) may hold: the Responses tool types OpenAI's
// platform runs (hostedTool), undated, and those only a provider's own
// API runs (providerTools: Groq's browser_search, xAI's x_search). A
// dated name a call sends (web_search_preview_2025_03_11) is declared by
// its undated one. A declared type is the server's on every API a call
// declares it on: code_interpreter on Responses and on Chat Completions,
// where it is Groq's.
//
// The declaration is a list, not a yes-or-no, because no server of one's
// own is known to run them all: vLLM runs web_search_preview,
// code_interpreter and mcp, for gpt-oss with a tool server it was started
// with (--tool-server), SGLang web search and Python; file_search reads
// OpenAI's vector stores and image_generation is OpenAI's image model.
// "All of them" would send those calls to a server that answers without
// the tool, the wrong 200 hostedToolRefusal keeps away; a proxy in front
// of OpenAI's API, which does run them all, is declared by openai_api.
var HostedToolTypes = []string{"web_search", "web_search_preview", "file_search", "code_interpreter", "image_generation", "mcp", "browser_search", "x_search"}

// HostedToolsVariable is the environment variable that declares which
// hosted tool types provider name's server runs (Provider.HostedTools),
// a comma-separated list: MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS for
// gpt-oss, MODELROUTER_UPSTREAM_DEFAULT_HOSTED_TOOLS for the default
// server.
func HostedToolsVariable(name string) string { return genericPrefix + envName(name) + "_HOSTED_TOOLS" }

// DeclarableHostedTool reports whether a hosted_tools declaration may
// name t (HostedToolTypes).
func DeclarableHostedTool(t string) bool { return slices.Contains(HostedToolTypes, t) }

// datedSuffix is the date OpenAI appends to a tool type's name
// (web_search_preview_2025_03_11, web_search_2025_08_26).
var datedSuffix = regexp.MustCompile(`_[0-9]{4}_[0-9]{2}_[0-9]{2}$`)

// undatedTool is tool type t without its date: the name a declaration
// gives it.
func undatedTool(t string) string { return datedSuffix.ReplaceAllString(t, "") }

// declaresHostedTool reports whether p's hosted_tools declaration names
// tool type t, dated or not.
func declaresHostedTool(p Provider, t string) bool {
	return slices.Contains(p.HostedTools, undatedTool(t))
}
