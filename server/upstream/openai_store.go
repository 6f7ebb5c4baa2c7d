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
// why: a model of another provider).
func openAIStoreRefusal(p Provider, m router.Model, toolTypes []string) string {
	if m.Provider != "openai" || readsOpenAIStore(p) {
		return ""
	}
	for _, t := range toolTypes {
		if what, ok := strings.CutPrefix(t, openAIStorePrefix); ok {
			return fmt.Sprintf("%s is stored at OpenAI, and provider %s's base URL (%s) is a server of your own, not OpenAI's API",
				what, p.Name, apiHost(p.BaseURL))
		}
	}
	return ""
}

// readsOpenAIStore reports whether p reaches OpenAI's own API, or an
// Azure OpenAI resource, which the openai provider's models reach when
// only Azure is configured (Resolve): its v1 Responses API takes the same
// members, as it did before this check. Any other host, a proxy in front
// of OpenAI included, is a server of one's own unless OpenAIStore says so.
func readsOpenAIStore(p Provider) bool {
	return p.OpenAIStore || p.Kind == KindAzure || apiHost(p.BaseURL) == apiHost(DefaultOpenAIBaseURL)
}
