package dataset

import "strings"

// aliases maps spellings that the generic rules in Canonical do not merge
// to one profile name.
var aliases = map[string]string{
	"llama-3.1-405b-inst":                       "llama-3.1-405b-instruct",
	"llama-3.1-405b-instruct-fp8":               "llama-3.1-405b-instruct",
	"llama-3-70b-instruct":                      "llama-3-70b-instruct",
	"llama-3-8b-instruct":                       "llama-3-8b-instruct",
	"athene-70b-0725":                           "athene-70b",
	"deepseek-coder-v2":                         "deepseek-coder-v2",
	"claude-3-5-sonnet-20241022":                "claude-3-5-sonnet-20241022",
	"yi-1.5-34b-chat":                           "yi-1.5-34b-chat",
	"llama-3.1-405b-instruct-fp8-no-sys-prompt": "llama-3.1-405b-instruct",
	// Arena-Hard's name for Mistral Large 2 (zeroeval-math's Mistral-Large-2).
	"mistral-large-2407": "mistral-large-2",
	// RouterBench's name (through Together) for Mixtral-8x7B-Instruct-v0.1.
	"mixtral-8x7b-chat": "mixtral-8x7b-instruct-v0.1",
}

// Canonical returns the profile name of a dataset model id: lower case,
// "_" read as ".", no "@provider" suffix, no Hugging Face organisation
// ("mistralai/"), no leading "meta-", then the alias table.
// "Meta-Llama-3_1-70B-Instruct", "Meta-Llama-3.1-70B-Instruct@hyperbolic"
// and "meta-llama/Meta-Llama-3.1-70B-Instruct" are all
// "llama-3.1-70b-instruct".
func Canonical(id string) string {
	s := strings.ToLower(strings.TrimSpace(id))
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.ReplaceAll(s, "_", ".")
	s = strings.TrimPrefix(s, "meta-")
	if a, ok := aliases[s]; ok {
		return a
	}
	return s
}
