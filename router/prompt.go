package router

import (
	"slices"
	"strings"
)

// Turn is one message of a conversation reduced to what the router model
// can read: its role ("system", "developer", "user", "assistant", "tool")
// and its text. PromptText reads only user and assistant turns.
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
const PromptSource = "last user turn, cut on its own to the model's window, preceded by up to 2 earlier messages clipped to 500 bytes each in the room it leaves"

// LastTurnMark stands between the context and the last turn in
// PromptText's result, after the blank line that ends the context. The
// router model reads a long last turn by its own first and last tokens,
// as it was trained to read a prompt, and gives the context only the room
// left; the mark tells the classifier where the last turn begins
// ([SplitPrompt]). It is ASCII's record separator, a control character
// the tokenizer drops, so a text read whole tokenizes as the plain join.
// Keeping it in the text (rather than returning parts) lets the routed
// text travel as one string through the decision log and `export` back
// into training, which cuts it the same way.
const LastTurnMark = "\x1e"

// PromptText is the text the router model reads of a conversation: the last
// user turn with text, preceded by up to [ContextMessages] earlier messages,
// each clipped to its last 500 bytes and prefixed with its role, then
// [LastTurnMark]. Only user and assistant turns are read (see [reads]).
// A conversation with no user text (only images or tool results) is read
// from its newest message with text. The gateway, the
// trainer and `eval` all read conversations through this one function, so a
// dataset's multi-turn items are scored on the text the gateway would route
// on. The mark is taken out of the turns' own text, so the first one in the
// result is where the last turn begins; a single prompt comes back as it
// is, less any mark.
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
		for last >= 0 && (!reads(turns[last].Role) || strings.TrimSpace(turns[last].Text) == "") {
			last--
		}
	}
	if last < 0 {
		// Only a system prompt or a tool result has text (some apps send
		// their whole task as the system message): routing on it beats
		// routing on nothing.
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
		t := strings.TrimSpace(unmarked(turns[i].Text))
		if t == "" || !reads(turns[i].Role) {
			continue
		}
		parts = append(parts, turns[i].Role+": "+clipEnd(t, contextEach))
	}
	text := unmarked(turns[last].Text)
	if len(parts) == 0 {
		return text
	}
	slices.Reverse(parts)
	return strings.Join(parts, "\n\n") + "\n\n" + LastTurnMark + text
}

// reads says whether the router model reads turns of a role: only the
// user's and the assistant's. A system or developer message is left out:
// no routing dataset has one, so the model was trained, its modes
// calibrated and `eval` measured on prompts without it, and a deployment's
// fixed system prompt would move every decision of that deployment (a
// 450-character one changed 21 % of Balanced and 43 % of Cost choices
// against the bare prompt's). A tool's result (Chat's tool and legacy
// function messages) is left out too: it is data, never seen in training,
// and Responses and Messages carry it outside their turns, so reading it
// would route one conversation differently by API.
func reads(role string) bool { return role == "user" || role == "assistant" }

// SplitPrompt cuts a text PromptText returned into the context before the
// last turn and the last turn itself, at the first [LastTurnMark]. A text
// without the mark (a single prompt) is all last turn: context is "".
func SplitPrompt(text string) (context, last string) {
	before, after, ok := strings.Cut(text, LastTurnMark)
	if !ok {
		return "", text
	}
	return strings.TrimSuffix(before, "\n\n"), after
}

// unmarked is s without LastTurnMark (s itself, unallocated, when it has
// none). The tokenizer drops the mark anyway, so removing it changes no
// token; it only keeps the cut unambiguous.
func unmarked(s string) string { return strings.ReplaceAll(s, LastTurnMark, "") }

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
