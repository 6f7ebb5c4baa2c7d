package upstream

import (
	"strconv"
	"strings"
)

// claudeStopDetails is what Anthropic says of a refusal (stop_reason
// "refusal"): the stop_details a JSON answer carries beside its
// stop_reason, and a stream's message_delta in its delta. Either member
// may be null, and older answers have no stop_details at all.
type claudeStopDetails struct {
	Category    string `json:"category"`
	Explanation string `json:"explanation"`
}

// refusalWords is the refusal an OpenAI client reads of an answer Claude
// stopped with stop_reason "refusal" (Chat's message.refusal and
// delta.refusal, a Responses "refusal" content part): Anthropic's own
// explanation where it gives one, else the gateway's sentence naming the
// stop reason and the category. OpenAI's structured-output clients find a
// refusal there and nowhere else: openai-python's responses.parse() parses
// every output_text part with the call's schema, so a refusal written as
// output_text failed as invalid JSON instead of reading as a refusal, and
// its chat.completions.parse() reads none from message.content. The
// refusal is never empty, since clients test it for being set.
func refusalWords(d *claudeStopDetails) string {
	if d != nil && strings.TrimSpace(d.Explanation) != "" {
		return d.Explanation
	}
	words := `Claude declined to continue this answer (stop_reason "refusal"`
	if d != nil && d.Category != "" {
		words += ", category " + strconv.Quote(d.Category)
	}
	return words + ")."
}

// refusalPart is a Responses message's refusal content part.
type refusalPart struct {
	Type    string `json:"type"`
	Refusal string `json:"refusal"`
}

func newRefusalPart(refusal string) refusalPart {
	return refusalPart{Type: "refusal", Refusal: refusal}
}
