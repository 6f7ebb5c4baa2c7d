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
