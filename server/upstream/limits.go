package upstream

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/modelrouter/modelrouter/router"
)

// Counted needs, among the types passed to Supports: how many tools,
// messages, stop sequences and images a call sends, and its body's size.
// Some providers refuse a call over their documented cap with a 400 (or
// 413) that does not fail over, while another provider could have
// answered it, so Supports leaves their models out (limitRefusal).
func NeedTools(n int) string    { return countPrefix + countTools + "=" + strconv.Itoa(n) }
func NeedMessages(n int) string { return countPrefix + countMessages + "=" + strconv.Itoa(n) }
func NeedStops(n int) string    { return countPrefix + countStops + "=" + strconv.Itoa(n) }
func NeedImages(n int) string   { return countPrefix + countImages + "=" + strconv.Itoa(n) }
func NeedBytes(n int) string    { return countPrefix + countBytes + "=" + strconv.Itoa(n) }

// LiftedByTrimming reports whether need t counts what a shorter
// conversation also lowers (its messages, images and bytes), so that a
// model left out for it is left out for the prompt's length as well when
// the prompt overflows its context: trimming, which clients do on
// context_length_exceeded, brings it back. A cap on tools, stop sequences
// or tool names is not lifted so.
func LiftedByTrimming(t string) bool {
	what, ok := strings.CutPrefix(t, countPrefix)
	if !ok {
		return false
	}
	name, _, _ := strings.Cut(what, "=")
	return name == countMessages || name == countImages || name == countBytes
}

// NeedToolName, among the types passed to Supports, is the name of a tool
// the call declares, which providers hold to a pattern (toolNameRefusal).
func NeedToolName(name string) string { return toolNamePrefix + name }

const toolNamePrefix = "tool name:"

// isLimitNeed reports whether t is limitRefusal's to judge.
func isLimitNeed(t string) bool {
	return strings.HasPrefix(t, countPrefix) || strings.HasPrefix(t, toolNamePrefix)
}

const (
	countPrefix   = "count:"
	countTools    = "tools"
	countMessages = "messages"
	countStops    = "stops"
	countImages   = "images"
	countBytes    = "bytes"
)

// Documented caps, each with its source.
const (
	// OpenAI's Chat Completions reference: "A max of 128 functions are
	// supported" (tools, and the legacy functions); over it the API
	// answers 400 array_above_max_length ("Invalid 'tools': array too
	// long. Expected an array with maximum length 128"). Azure OpenAI's
	// quotas and limits page: "Max number of /chat/completions tools
	// 128", and functions 128.
	maxChatTools = 128
	// Azure OpenAI's quotas and limits page: "Max number of
	// /chat/completions messages 2048".
	maxAzureChatMessages = 2048
	// Anthropic's Messages API reference (messages): "There is a limit of
	// 100,000 messages in a single request."
	maxAnthropicMessages = 100_000
	// OpenAI's Chat Completions reference (stop): "Up to 4 sequences
	// where the API will stop generating further tokens"; over it the API
	// answers 400 array_above_max_length ("Invalid 'stop': array too
	// long. Expected an array with maximum length 4").
	maxChatStops = 4
	// Anthropic's vision guide: "The maximal number of images per message
	// or request is ... 100 per request on the API, for models with a
	// 200k-token context window. 600 per request on the API, for all
	// other models."
	maxClaudeImages, maxClaudeImagesLongContext = 100, 600
	// Anthropic's vision guide: "there is a 32MB request size limit for
	// standard endpoints" (the Messages API; over it, 413
	// request_too_large, which does not fail over). Read as MiB, the
	// larger, so that no body Anthropic takes is kept from it.
	maxClaudeBody = 32 << 20
)

// claudeImages is the most images a request to Claude model m may carry.
func claudeImages(m router.Model) int {
	if m.ContextWindow > 200_000 {
		return maxClaudeImagesLongContext
	}
	return maxClaudeImages
}

// counts reads the counted needs among needs.
func counts(needs []string) (tools, messages, stops, images, bytes int) {
	for _, t := range needs {
		what, ok := strings.CutPrefix(t, countPrefix)
		if !ok {
			continue
		}
		name, v, _ := strings.Cut(what, "=")
		n, _ := strconv.Atoi(v)
		switch name {
		case countTools:
			tools = n
		case countMessages:
			messages = n
		case countStops:
			stops = n
		case countImages:
			images = n
		case countBytes:
			bytes = n
		}
	}
	return tools, messages, stops, images, bytes
}

// limitRefusal returns why p refuses a call of api with these counts by a
// documented cap of its own, "" when none is passed. Only OpenAI's own
// API and Azure's, and Anthropic's, are held to caps: an OpenAI-compatible
// server of another vendor (or a proxy at OPENAI_BASE_URL under another
// provider name) documents its own, or none.
func limitRefusal(p Provider, m router.Model, api API, needs []string) string {
	tools, messages, stops, images, bytes := counts(needs)
	// A Messages call reaches an OpenAI-format model as Chat Completions:
	// its tools one for one, and at least as many messages (a system
	// prompt and each tool result become messages of their own), so a
	// count over the cap is over it there too.
	chat := api == APIChatCompletions || api == APIMessages
	openAIs := p.Kind == KindAzure || p.Kind == KindOpenAI && p.Name == "openai"
	switch {
	case openAIs && chat && tools > maxChatTools:
		return fmt.Sprintf("provider %s takes at most %d tools on Chat Completions, the call declares %d", p.Name, maxChatTools, tools)
	case openAIs && chat && stops > maxChatStops && !slices.Contains(router.DroppedParams(m), "stop"):
		// A reasoning model is sent the call without stop (Parameter
		// rules), which it does not take at all.
		return fmt.Sprintf("provider %s takes at most %d stop sequences on Chat Completions, the call sets %d", p.Name, maxChatStops, stops)
	case p.Kind == KindAzure && chat && messages > maxAzureChatMessages:
		return fmt.Sprintf("provider %s takes at most %d messages on Chat Completions, the call sends %d", p.Name, maxAzureChatMessages, messages)
	case p.Kind == KindAnthropic && api == APIMessages && messages > maxAnthropicMessages:
		return fmt.Sprintf("provider %s takes at most %d messages, the call sends %d", p.Name, maxAnthropicMessages, messages)
	case p.Kind == KindAnthropic && images > claudeImages(m):
		// Every API's images reach Claude one for one.
		return fmt.Sprintf("provider %s takes at most %d images in a request to %s, the call sends %d", p.Name, claudeImages(m), modelID(m), images)
	case p.Kind == KindAnthropic && bytes > maxClaudeBody:
		// The client's body: a translation's is about as large (the
		// same texts and base64 data in other members).
		return fmt.Sprintf("provider %s takes requests of at most 32 MB, the call's body is %d bytes", p.Name, bytes)
	}
	for _, t := range needs {
		if name, ok := strings.CutPrefix(t, toolNamePrefix); ok {
			if why := toolNameRefusal(p, openAIs && chat, name); why != "" {
				return why
			}
		}
	}
	return ""
}

// Tool name rules, each with its source. OpenAI's Chat Completions
// reference (function.name): "Must be a-z, A-Z, 0-9, or contain
// underscores and dashes, with a maximum length of 64." Anthropic's API
// refuses a name outside ^[a-zA-Z0-9_-]{1,128}$ ("tools.0.custom.name:
// String should match pattern"; 64 before 2025): the same characters,
// and a translation carries every name as it is, so a longer name that
// Claude takes reaches it, and one with another character, which neither
// takes, reaches neither.
const maxOpenAIToolName, maxClaudeToolName = 64, 128

// toolNameRefusal returns why p refuses a tool of this name, "" when it
// takes it: openAIChat says the call reaches OpenAI's or Azure's Chat
// Completions.
func toolNameRefusal(p Provider, openAIChat bool, name string) string {
	most := 0
	switch {
	case openAIChat:
		most = maxOpenAIToolName
	case p.Kind == KindAnthropic:
		most = maxClaudeToolName
	default:
		return ""
	}
	if len(name) >= 1 && len(name) <= most && !strings.ContainsFunc(name, notToolNameChar) {
		return ""
	}
	return fmt.Sprintf("provider %s takes tool names of 1 to %d letters, digits, _ and -, not %s", p.Name, most, quotedCut(name))
}

func notToolNameChar(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}
