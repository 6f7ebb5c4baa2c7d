package upstream

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// responsesModelsAt names, by the host of a provider's own API, the only
// models its Responses endpoint serves where that is fewer than its Chat
// Completions endpoint does. DeepSeek's Responses API takes
// deepseek-v4-flash alone (its guide, "Using the Responses API"), not
// deepseek-chat, which serves the catalog's DeepSeek-V3.2: a Responses call
// sent there is refused, so such a model is no candidate for one. A server
// of your own (vLLM, Ollama) at another address is not limited.
var responsesModelsAt = map[string][]string{
	"api.deepseek.com": {"deepseek-v4-flash"},
}

// responsesRefusal is why p cannot serve a Responses call for m, "" when
// it can.
func responsesRefusal(p Provider, m router.Model) string {
	if p.Kind == KindAnthropic {
		return "" // translated
	}
	u, err := url.Parse(p.BaseURL)
	if err != nil {
		return ""
	}
	models, limited := responsesModelsAt[strings.ToLower(u.Hostname())]
	if name := upstreamModel(m); limited && !slices.Contains(models, name) {
		return fmt.Sprintf("provider %s serves %s on Chat Completions only: its Responses API takes %s",
			p.Name, name, strings.Join(models, ", "))
	}
	return ""
}

// Truncates reports whether m's provider cuts a Responses call's prompt to
// fit m's context window itself where the call asks for truncation "auto":
// OpenAI's API (by its host, or a proxy declared to reach it) and Azure's
// drop the conversation's oldest items rather than refuse it
// (readsOpenAIState). Claude's translation does not carry truncation, and
// other OpenAI-compatible servers, a server of one's own behind the
// openai provider's base URL included, are not known to honour it. The
// server, which reads the call's truncation, hands it to the router,
// whose context-fit filter then lets the prompt past m's window.
func (ps Providers) Truncates(m router.Model, api API) bool {
	p, ok := ps.Resolve(m)
	return ok && api == APIResponses && readsOpenAIState(p)
}
