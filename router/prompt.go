package router

import (
	"slices"
	"strings"
)

// Turn is one message of a conversation reduced to what the router model
// can read: its role ("system", "developer", "user", "assistant", "tool")
// and its text.
type Turn struct {
	Role string
	Text string
}

// How much earlier conversation the router model reads before the last user
// turn. The model was trained on single prompts, so the last turn dominates;
// a little context tells a follow-up ("and in Rust?") apart. Each earlier
// message gets its own share of the budget, so a long answer cannot push the
// user's earlier question out.
const (
	ContextMessages = 2
	ContextChars    = 1000 // bytes, whole UTF-8 sequences (166 Chinese characters a message)
	contextEach     = ContextChars / ContextMessages
)

// PromptSource says, for docs and logs, what PromptText returns.
const PromptSource = "last user turn, preceded by up to 2 earlier messages clipped to 500 bytes each"

// PromptText is the text the router model reads of a conversation: the last
// user turn with text, preceded by up to [ContextMessages] earlier messages,
// each clipped to its last 500 bytes and prefixed with its role. A
// conversation with no user text (only images or tool results) is read from
// its newest message with text. The gateway, the trainer and `eval` all read
// conversations through this one function, so a dataset's multi-turn items
// are scored on the text the gateway would route on.
func PromptText(turns []Turn) string {
	last := -1
	for i := len(turns) - 1; i >= 0; i-- {
		if turns[i].Role == "user" && strings.TrimSpace(turns[i].Text) != "" {
			last = i
			break
		}
	}
	if last < 0 {
		last = len(turns) - 1
		for last >= 0 && strings.TrimSpace(turns[last].Text) == "" {
			last--
		}
	}
	if last < 0 {
		return ""
	}
	var parts []string
	for i := last - 1; i >= 0 && len(parts) < ContextMessages; i-- {
		t := strings.TrimSpace(turns[i].Text)
		if t == "" {
			continue
		}
		parts = append(parts, turns[i].Role+": "+clipEnd(t, contextEach))
	}
	slices.Reverse(parts)
	return strings.Join(append(parts, turns[last].Text), "\n\n")
}

// clipEnd cuts s to at most n bytes without splitting a UTF-8 sequence,
// keeping the end (the part nearest the last turn).
func clipEnd(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && s[i]&0xC0 == 0x80 {
		i++
	}
	return s[i:]
}
