package openai

import "unicode/utf8"

// Bounds on the type names a request gives (tool types, content block
// types, format types). Every API's types are short identifiers of a few
// dozen kinds; the router names the ones a model cannot take in each
// excluded candidate's reason, which goes back in the answer and into the
// decision log, so one long name or a flood of distinct ones would be
// repeated there for every model (and, compared one by one, cost time
// that grows with the square of their number).
const (
	// maxTypeName is the longest type name taken.
	maxTypeName = 64
	// maxTypeNames is the most distinct tool types, or kinds of content
	// only the request's own API carries, one request may name.
	maxTypeNames = 64
	// maxModelID is the longest model ID routing_config.models takes:
	// catalog IDs are tens of characters.
	maxModelID = 256
)

// checkTypeName refuses a type name over maxTypeName bytes, without
// repeating it.
func checkTypeName(at paramPath, name string) error {
	if len(name) > maxTypeName {
		param := at.String()
		return invalid(param, "%s is %d bytes long; types are names of at most %d characters", param, len(name), maxTypeName)
	}
	return nil
}

// tooManyTypes refuses a request that names more than maxTypeNames
// distinct types in what param lists.
func tooManyTypes(param, what string) error {
	return invalid(param, "%s name more than %d distinct %s", param, maxTypeNames, what)
}

// shortened is a client's string (an id, a key) as a reason or an error
// names it: cut to a bounded length. An id itself goes to the provider as
// the client sent it.
func shortened(s string) string {
	const most = 64
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
