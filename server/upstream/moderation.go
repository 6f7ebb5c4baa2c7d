package upstream

import (
	"fmt"
	"slices"
)

// NeedOpenAIModeration, among the types passed to Supports, is a Chat
// Completions or Responses call's `moderation`: OpenAI's API runs the
// moderation model it names on the call's input and answer, and in mode
// block refuses what it flags. An OpenAI-compatible server of another
// kind is not known to run it (vLLM and Ollama read no such member and
// answer unmoderated, a wrong answer with a 200), nor does Azure OpenAI
// document it, so only OpenAI's API (or a proxy declared to reach it)
// serves such a call. Claude is left out by its translation, which cannot
// carry it (a ContentPrefix need).
const NeedOpenAIModeration = "run by OpenAI's platform:moderation"

// moderationRefusal is why p cannot serve a call that asks for OpenAI's
// moderation, "" when it can or when its translation is the one to say
// why.
func moderationRefusal(p Provider, api API, needs []string) string {
	if !slices.Contains(needs, NeedOpenAIModeration) || translationFor(api, p.Kind) != nil || openAIsAPI(p) {
		return ""
	}
	if p.Kind == KindAzure {
		return fmt.Sprintf("moderation is run by OpenAI's API, and provider %s is an Azure OpenAI resource, whose API does not document it", p.Name)
	}
	return fmt.Sprintf("moderation is run by OpenAI's API, and provider %s's base URL (%s) is not OpenAI's API (%s)",
		p.Name, apiHost(p.BaseURL), openAIAPIHint(p))
}
