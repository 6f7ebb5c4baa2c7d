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
