package upstream

import (
	"bytes"
	"fmt"
	"iter"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// ExactMembersOf refuses a call of api whose body (a JSON object, checked
// before) has a top-level member that is not one its translation reads
// but equals one of them ignoring case, such as "SYSTEM" or "Max_Tokens".
// Routing reads each member by its exact name, while a translation
// decodes the body with encoding/json, which takes a member in any case
// and the later of two: without this, a body could be routed on one
// "system", "tools" or "max_tokens" and forward another. The APIs
// themselves refuse such a member (Anthropic an unknown field, OpenAI an
// unknown parameter), so nothing a provider takes is lost. A member named
// exactly twice is not refused: routing and translation both take the
// last. routed names the members routing reads besides: a member it
// reads in another case (`"Routing_Config"`, `"Service_Tier"`) is refused
// too, since routing would not read it while a provider whose decoder
// folds case (encoding/json's, as Ollama's OpenAI API has) would.
// obj is the body's top-level members, in its order with keys as
// written (a parsed body's, so they are not read a second time); it may
// leave out members routed names exactly as written, which are never
// refused (openai.Request.OtherMembers).
func ExactMembersOf(api API, obj jsonscan.Object, routed []string) error {
	reads := membersReadFor(api)
	for _, m := range obj {
		if reads[string(m.Key)] || slices.Contains(routed, string(m.Key)) {
			continue
		}
		key := m.Key
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			unquoted, _ := jsonscan.UnquoteKey(key)
			if reads[unquoted] || slices.Contains(routed, unquoted) {
				continue
			}
			key = []byte(unquoted)
		}
		known, ok := caseVariantOf(maps.Keys(reads), key)
		if !ok {
			known, ok = caseVariantOf(slices.Values(routed), key)
		}
		if ok {
			return &router.Error{Code: router.EInvalid, Param: string(key),
				Message: fmt.Sprintf("unknown member %q (did you mean %q?)", key, known)}
		}
	}
	return nil
}

// caseVariantOf returns the one of names that key names in another case,
// if any.
func caseVariantOf(names iter.Seq[string], key []byte) (string, bool) {
	for known := range names {
		if bytes.EqualFold(key, []byte(known)) {
			return known, true
		}
	}
	return "", false
}

// membersReadFor is what the translation of a call of api reads of its
// body's top level: the members encoding/json matches in any case.
func membersReadFor(api API) map[string]bool {
	switch api {
	case APIMessages:
		return messagesToChat.reads
	case APIResponses:
		return responsesToAnthropic.reads
	}
	return chatToAnthropic.reads
}
